/**
 * One benchmark run: an optimizer with one learning rate and seed on one suite problem, for the problem's
 * budget. It records the loss over the evaluation set at evenly spaced points (10; 5 for the CNN), against the cost so
 * far in
 * epochs of gradient work (a minibatch gradient costs B/N, a full-batch gradient 1): the curve that
 * time-to-target is read from.
 */
import { numpy as np, jit } from "@jax-js/jax";
import { disposeTree, flattenTree, precisionOf, random, refTree, toDevice, unflattenArray } from "../engine/index.js";
import { epochBatches, gatherBatch, oneHot, type Dataset } from "../data/index.js";
import { lossFunction } from "../losses.js";
import { methodByName } from "../methods/registry.js";
import { namedOptimizer } from "../optim/presets.js";
import { Objective } from "../problems/objective.js";
import { compileTrainStep, initTrainState, type TrainState } from "../train/step.js";
import { suiteProblem, type ProblemName, type SuiteProblem } from "./problems.js";

export const FULL_BATCH_METHOD = "lbfgs";

export interface TrialSettings {
  problem: ProblemName;
  method: string;
  /** Learning rate of a first-order method (L-BFGS has none: its line search sets the step). */
  lr?: number;
  seed: number;
  /** Multiplies the problem's step budget. */
  budget: number;
}

export interface TrialResult {
  problem: string;
  method: string;
  lr: number | null;
  seed: number;
  /** Loss over the evaluation set at the start and at the end (null: the run diverged). */
  f0: number;
  f: number | null;
  /** [cost in epochs of gradient work, evaluation loss (null: not finite)] from [0, f0]. */
  curve: [number, number | null][];
  /** The budget in epochs every method of this problem gets. */
  budgetEpochs: number;
  diverged: boolean;
  seconds: number;
}

const precision = precisionOf("float32");
const finite = (v: number) => (Number.isFinite(v) ? v : null);

/** Steps of a first-order run and the matching budget in epochs. */
export function trialBudget(problem: SuiteProblem, budget: number): { steps: number; epochs: number } {
  const steps = Math.max(problem.evaluations, Math.round(problem.steps * budget));
  return { steps, epochs: (steps * problem.batchSize) / problem.train.size };
}

/** Device arrays of a whole dataset: x, and y one-hot for classification. */
function deviceData(data: Dataset) {
  const all = gatherBatch(
    data,
    Int32Array.from({ length: data.size }, (_, i) => i),
  );
  return {
    x: toDevice(all.x, [data.size, ...data.xShape], precision),
    y: toDevice(
      data.numClasses > 0 ? oneHot(all.y, data.numClasses) : all.y,
      [data.size, ...(data.numClasses > 0 ? [data.numClasses] : data.yShape)],
      precision,
    ),
  };
}

/** The model's mean loss over a batch: cross-entropy for the digits, else the mean output (each example's loss). */
function meanLoss(problem: SuiteProblem) {
  const crossEntropy = lossFunction("cross-entropy");
  return (params: np.Array | object, modelState: object, x: np.Array, y: np.Array): np.Array => {
    const [out, state] = problem.model.apply(params as never, modelState as never, x, { train: false });
    disposeTree(state);
    if (problem.loss === "cross-entropy") return crossEntropy(out, y);
    y.dispose();
    return np.mean(out);
  };
}

/** Runs one trial (the settings were validated by the caller). */
export function runSuiteTrial(settings: TrialSettings): TrialResult {
  const problem = suiteProblem(settings.problem);
  const { steps, epochs } = trialBudget(problem, settings.budget);
  const started = performance.now();
  const run =
    settings.method === FULL_BATCH_METHOD
      ? fullBatchRun(problem, settings.seed, epochs)
      : firstOrderRun(problem, settings.method, settings.lr!, settings.seed, steps);
  const last = run.curve[run.curve.length - 1][1];
  return {
    problem: problem.name,
    method: settings.method,
    lr: settings.method === FULL_BATCH_METHOD ? null : settings.lr!,
    seed: settings.seed,
    f0: run.curve[0][1] ?? NaN,
    f: run.diverged ? null : last,
    curve: run.curve,
    budgetEpochs: epochs,
    diverged: run.diverged,
    seconds: Math.round(performance.now() - started) / 1000,
  };
}

type Run = { curve: [number, number | null][]; diverged: boolean };

/** Minibatch steps (reshuffled each epoch, the last partial batch dropped) at a constant rate, as DeepOBS tunes. */
function firstOrderRun(problem: SuiteProblem, method: string, lr: number, seed: number, steps: number): Run {
  const optimizer = namedOptimizer(method, { lr });
  const kind = problem.loss === "cross-entropy" ? "cross-entropy" : "mse";
  const customLoss =
    problem.loss === "mean-output"
      ? (out: np.Array, y: np.Array, k: np.Array) => (y.dispose(), k.dispose(), np.mean(out))
      : undefined;
  const step = compileTrainStep(problem.model, kind, optimizer, customLoss);
  const [modelKey, orderKey] = random.splitKey(random.randomKey(seed), 2);
  let state: TrainState = initTrainState(problem.model, modelKey, problem.train.xShape, precision, optimizer);
  const evaluation = deviceData(problem.evaluation);
  const evaluate = jit(meanLoss(problem));
  const lossNow = () =>
    (
      evaluate(
        refTree(state.params) as never,
        refTree(state.modelState),
        evaluation.x.ref,
        evaluation.y.ref,
      ) as np.Array
    ).dataSync()[0];
  const { train, batchSize } = problem;
  const perEpoch = Math.floor(train.size / batchSize);
  const every = Math.ceil(steps / problem.evaluations);
  const curve: [number, number | null][] = [[0, finite(lossNow())]];
  let diverged = false;
  let batches: Int32Array[] = [];
  try {
    for (let k = 1; k <= steps && !diverged; k++) {
      const epoch = Math.floor((k - 1) / perEpoch);
      if ((k - 1) % perEpoch === 0)
        batches = epochBatches({
          size: train.size,
          batchSize,
          regime: "reshuffle",
          key: orderKey,
          epoch,
          dropLast: true,
        });
      const batch = gatherBatch(train, batches[(k - 1) % perEpoch]);
      const x = toDevice(batch.x, [batchSize, ...train.xShape], precision);
      const y =
        train.numClasses > 0
          ? toDevice(oneHot(batch.y, train.numClasses), [batchSize, train.numClasses], precision)
          : toDevice(batch.y, [batchSize], precision);
      const [next, stats] = step.run(state, x, y);
      state = next;
      diverged = !Number.isFinite(stats.loss);
      if (diverged || k % every === 0 || k === steps) {
        const value = diverged ? null : finite(lossNow());
        curve.push([(k * batchSize) / train.size, value]);
        diverged ||= value === null;
      }
    }
  } finally {
    disposeTree(state as never);
    evaluation.x.dispose();
    evaluation.y.dispose();
    evaluate.dispose();
    step.dispose();
  }
  return { curve, diverged };
}

/** L-BFGS on the full training set (deterministic), iterations capped so its gradients stay within the budget. */
function fullBatchRun(problem: SuiteProblem, seed: number, epochs: number): Run {
  const [modelKey] = random.splitKey(random.randomKey(seed), 2);
  const init = problem.model.init(modelKey, problem.train.xShape, precision);
  const data = deviceData(problem.train);
  const loss = meanLoss(problem);
  const template = init.params;
  const objective = new Objective(
    {
      name: problem.name,
      dim: flattenTree(template).length,
      x0: flattenTree(template),
      f: (theta: np.Array) => loss(unflattenArray(template, theta), refTree(init.state), data.x.ref, data.y.ref),
      dispose: () => {},
    },
    precision,
  );
  const x0 = flattenTree(template);
  const curve: [number, number | null][] = [[0, finite(objective.value(x0))]];
  try {
    methodByName(FULL_BATCH_METHOD).run(
      objective,
      x0,
      {},
      {
        maxIter: Math.max(1, Math.floor(epochs)),
        tol: 1e-12,
        onIteration: (record) => {
          if (record.gevals <= epochs) curve.push([record.gevals, finite(record.f)]);
        },
      },
    );
  } finally {
    objective.dispose();
    disposeTree(template);
    disposeTree(init.state);
    data.x.dispose();
    data.y.dispose();
  }
  return { curve, diverged: curve[curve.length - 1][1] === null };
}
