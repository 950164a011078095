/**
 * Hints (FitNets, Romero et al. 2015; 8.7.4): a deep thin student learns first to predict a wide
 * teacher's middle layer from its own middle layer through a linear regressor (stage 1, the hint
 * loss ½‖r(h_student) − h_teacher‖² averaged), then learns the task from there (stage 2), with the
 * hint loss optionally kept at a weight that decays on a schedule.
 */
import { numpy as np, lax } from "@jax-js/jax";
import { disposeTree, random, refTree, toDevice, treeToHost, type Precision, type Tree } from "../engine/index.js";
import { exampleSize, type Dataset } from "../data/index.js";
import { initializerByName, weightAndBias, type Layer } from "../nn/index.js";
import { meanSquaredError, softmaxCrossEntropy } from "../losses.js";
import { valueAt, type GradientTransformation, type ScalarOrSchedule } from "../optim/index.js";
import { train, type TrainCallbacks, type TrainLoss, type TrainResult } from "../train/index.js";
import {
  deepMlp,
  hiddenStates,
  type DeepMlp,
  type DeepMlpOptions,
  type DeepMlpParams,
  type DenseParams,
} from "./deepMlp.js";
import { freeze, pathsUnder } from "./freeze.js";
import { copyLeaves, hostLeaves } from "./transfer.js";

/**
 * The teacher's hidden layer `layer` on every example of `data`,
 * as a regression dataset (the hint targets). Borrows params.
 */
export function teacherHints(
  teacher: DeepMlp,
  params: Tree,
  data: Dataset,
  layer: number,
  precision: Precision,
  batchSize = 1000,
): Dataset {
  const p = params as unknown as DeepMlpParams;
  const width = teacher.options.width;
  const xs = exampleSize(data.xShape);
  const y = new Float32Array(data.size * width);
  for (let start = 0; start < data.size; start += batchSize) {
    const n = Math.min(batchSize, data.size - start);
    const x = toDevice(data.x.subarray(start * xs, (start + n) * xs), [n, ...data.xShape], precision);
    const states = hiddenStates(
      teacher.options,
      refTree(p.hidden as unknown as Tree) as unknown as DenseParams[],
      x,
      layer + 1,
    );
    y.set(states[layer].ref.dataSync() as ArrayLike<number>, start * width);
    for (const s of states) s.dispose();
  }
  return {
    name: `${data.name}-hints`,
    x: data.x,
    xShape: data.xShape,
    y,
    yShape: [width],
    numClasses: 0,
    size: data.size,
  };
}

/**
 * Stage 2 with a hint term: params {student, regressor, teacher}; the training output is
 * [student logits | r(h_student) | h_teacher] and the teacher is held fixed (frozen, and no gradient flows into it).
 */
function hintedStudent(student: DeepMlp, teacher: DeepMlp, guided: number, hintLayer: number): Layer {
  return {
    kind: "hinted-student",
    init(key, inputShape, precision) {
      const [ks, kr, kt] = random.splitKey(key, 3);
      return {
        params: {
          student: student.init(ks, inputShape, precision).params,
          regressor: weightAndBias(kr, [student.options.width, teacher.options.width], precision, {
            init: initializerByName("glorot"),
          }),
          teacher: teacher.init(kt, inputShape, precision).params,
        } as unknown as Tree,
        state: {},
        outputShape: [student.outputs],
      };
    },
    apply(params, state, x, ctx) {
      const p = params as unknown as { student: DeepMlpParams; regressor: DenseParams; teacher: DeepMlpParams };
      if (!ctx.train) {
        disposeTree([p.regressor, p.teacher] as unknown as Tree);
        return student.apply(p.student as unknown as Tree, {}, x, ctx);
      }
      const guidedState = hiddenStates(
        student.options,
        refTree(p.student.hidden as unknown as Tree) as unknown as DenseParams[],
        x.ref,
        guided + 1,
      );
      const regressed = np.matmul(guidedState[guided].ref, p.regressor.weight).add(p.regressor.bias);
      for (const s of guidedState) s.dispose();
      const teacherStates = hiddenStates(teacher.options, p.teacher.hidden, x.ref, hintLayer + 1);
      const hint = lax.stopGradient(teacherStates[hintLayer].ref);
      for (const s of teacherStates) s.dispose();
      disposeTree(p.teacher.output as unknown as Tree);
      const [logits] = student.apply(p.student as unknown as Tree, {}, x, ctx);
      return [np.concatenate([logits, regressed, hint], 1), state];
    },
  };
}

/** CE(logits) + λ(k)·‖r − h‖²/width on the hinted student's training output [logits | r | h]. */
export function hintedLoss(classes: number, width: number, weight: ScalarOrSchedule): TrainLoss {
  return (output, targets, k) => {
    const task = softmaxCrossEntropy(output.ref.slice([], [0, classes]), targets);
    const hint = meanSquaredError(
      output.ref.slice([], [classes, classes + width]),
      output.slice([], [classes + width, classes + 2 * width]),
    );
    return task.add(hint.mul(valueAt(weight, k)));
  };
}

export interface HintsOptions {
  train: Dataset;
  validation?: Dataset;
  test?: Dataset;
  /** The trained wide teacher. */
  teacher: { model: DeepMlp; params: Tree };
  /** The deep thin student network. */
  student: Omit<DeepMlpOptions, "auxiliaryHeads">;
  /** Teacher hidden layer that gives the hint (0-based; FitNets: the middle one). */
  hintLayer: number;
  /** Student hidden layer it guides (0-based; FitNets: the middle one). */
  guidedLayer: number;
  optimizer: () => GradientTransformation;
  hintEpochs: number;
  taskEpochs: number;
  /** Keep the hint loss in stage 2 with this weight (a schedule, e.g. decayToZero); absent: task loss only. */
  hintWeight?: ScalarOrSchedule;
  batchSize: number;
  seed: number;
  precision: Precision;
  /** Callbacks of the stage-2 (task) run. */
  callbacks?: TrainCallbacks;
}

export interface HintsResult {
  model: DeepMlp;
  params: Tree;
  modelState: Tree;
  /** Mean hint loss (MSE per unit) over the last epoch of stage 1. */
  hintLoss: number;
  task: TrainResult;
}

export async function trainWithHints(o: HintsOptions): Promise<HintsResult> {
  const { precision } = o;
  const classes = o.train.numClasses;
  if (!(classes > 0)) throw new Error("hints: the task must be a classification dataset");
  const teacher = o.teacher.model;
  if (!(o.hintLayer >= 0 && o.hintLayer < teacher.options.depth))
    throw new Error(`hints: the teacher has hidden layers 0..${teacher.options.depth - 1}, not ${o.hintLayer}`);
  if (!(o.guidedLayer >= 0 && o.guidedLayer < o.student.depth))
    throw new Error(`hints: the student has hidden layers 0..${o.student.depth - 1}, not ${o.guidedLayer}`);
  // Stage 1: the student's layers up to the guided one, with the regressor as their output layer, fit the hints.
  const hints = teacherHints(teacher, o.teacher.params, o.train, o.hintLayer, precision);
  const lower = deepMlp(teacher.options.width, { ...o.student, depth: o.guidedLayer + 1 });
  const stage1 = await train({
    model: lower,
    train: hints,
    optimizer: o.optimizer(),
    epochs: o.hintEpochs,
    batchSize: o.batchSize,
    seed: o.seed,
    precision,
  });
  const learned = hostLeaves(stage1.params);
  disposeTree(stage1.params);
  disposeTree(stage1.modelState);
  const guidedLayers = pathsUnder(Array.from({ length: o.guidedLayer + 1 }, (_, i) => `hidden.${i}`));
  const student = deepMlp(classes, o.student);
  const common = {
    train: o.train,
    validation: o.validation,
    test: o.test,
    epochs: o.taskEpochs,
    batchSize: o.batchSize,
    seed: o.seed + 1,
    precision,
    callbacks: o.callbacks,
  };
  if (o.hintWeight === undefined) {
    const task = await train({
      ...common,
      model: student,
      optimizer: o.optimizer(),
      initialize: copyLeaves(learned, precision, guidedLayers),
    });
    return { model: student, params: task.params, modelState: task.modelState, hintLoss: stage1.trainLoss, task };
  }
  // Stage 2 with the hint term: the student's lower layers and the regressor from stage 1, the teacher fixed.
  const teacherHost = treeToHost(o.teacher.params);
  const source = new Map(
    [...learned].flatMap(([k, v]) =>
      k.startsWith("output.") ? [[`regressor.${k.slice(7)}`, v]] : guidedLayers(k) ? [[`student.${k}`, v]] : [],
    ),
  );
  for (const [k, v] of teacherHost) source.set(`teacher.${k}`, v);
  const model = hintedStudent(student, teacher, o.guidedLayer, o.hintLayer);
  const task = await train({
    ...common,
    model,
    optimizer: freeze(o.optimizer(), pathsUnder(["teacher"])),
    loss: hintedLoss(classes, teacher.options.width, o.hintWeight),
    initialize: copyLeaves(source, precision),
  });
  const all = task.params as unknown as { student: Tree; regressor: Tree; teacher: Tree };
  disposeTree([all.regressor, all.teacher]);
  return {
    model: student,
    params: all.student,
    modelState: {},
    hintLoss: stage1.trainLoss,
    task: { ...task, params: all.student },
  };
}
