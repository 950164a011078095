import {
  leavesWithPaths,
  random,
  refTree,
  toDevice,
  treeFromHost,
  treeToHost,
  disposeTree,
  type HostTensor,
  type Precision,
  type Tree,
} from "../engine/index.js";
import { epochBatches, gatherBatch, oneHot, type SamplingRegime } from "../data/index.js";
import type { Dataset } from "../data/dataset.js";
import type { Layer } from "../nn/index.js";
import { loadCheckpoint, saveCheckpoint, type Progress } from "./checkpoint.js";
import { CheckpointError, InvalidRunError } from "./errors.js";
import { evaluate, type Evaluation } from "./evaluate.js";
import { assertFinite, DivergenceGuard, nonFiniteCause } from "./guard.js";
import { MetricsLog, type MetricsRecord } from "./metrics.js";
import {
  compilePredict,
  compileTrainStep,
  type LossKind,
  type StepStats,
  type TrainLoss,
  type TrainState,
} from "./step.js";
import { compileClosureStep, isClosureOptimizer, type TrainerOptimizer } from "./closureStep.js";

export interface EarlyStopping {
  /** Epochs without improvement of the validation loss before stopping. */
  patience: number;
  /** Put back the parameters of the best epoch at the end. */
  restoreBest?: boolean;
}

export interface TrainCallbacks {
  onStart?(info: { totalSteps: number; startStep: number; stepsPerEpoch: number }): void;
  /** After each step. `state` is borrowed: valid only during the call (use refTree to keep it). */
  onStep?(info: { step: number; epoch: number; stats: StepStats; state: TrainState; paramPaths: string[] }): void;
  onEpochEnd?(record: MetricsRecord): void;
}

export interface TrainOptions {
  model: Layer;
  train: Dataset;
  validation?: Dataset;
  test?: Dataset;
  /** A gradient transformation, or a minibatch solver stepping through a closure (closureOptimizer). */
  optimizer: TrainerOptimizer;
  epochs: number;
  batchSize: number;
  seed: number;
  precision: Precision;
  sampling?: SamplingRegime;
  /**
   * The example indices of each minibatch of an epoch (e.g. a curriculum),
   * in place of `sampling`; same number of batches every epoch.
   */
  sampler?: BatchSampler;
  /**
   * The training objective in place of the dataset's default loss
   * (auxiliary heads, hints); evaluation keeps the default loss.
   */
  loss?: TrainLoss;
  earlyStopping?: EarlyStopping;
  /** Where to write the checkpoint (at every epoch end and when stopped). */
  checkpointPath?: string;
  /** Resume from this checkpoint (made by the same configuration). */
  resumeFrom?: string;
  metricsPath?: string;
  /** Stop (as if interrupted) once this many steps have run in total; a later resume continues. */
  stopAfterSteps?: number;
  /** Stop at the next step boundary once aborted (Ctrl-C), checkpointing there; a later resume continues. */
  signal?: AbortSignal;
  /**
   * Stop with an error when a minibatch loss exceeds this multiple of the first one (default 1e4; Infinity disables).
   */
  divergenceFactor?: number;
  /**
   * Adjusts freshly initialized parameters (8.4's data-driven heuristics);
   * borrows both trees, returns new params. Not called on resume.
   */
  initialize?: (params: Tree, modelState: Tree) => Tree;
  /** Stored in the checkpoint, so a resume can tell what it continues. */
  config?: unknown;
  /**
   * Evaluate (and keep as "best") the optimizer's averaged parameters
   * when it keeps any (Polyak averaging, 8.7.3). Default true.
   */
  evaluateAverage?: boolean;
  callbacks?: TrainCallbacks;
}

export interface TrainResult {
  params: Tree;
  modelState: Tree;
  steps: number;
  epochs: number;
  trainLoss: number;
  validation?: Evaluation;
  test?: Evaluation;
  seconds: number;
  examplesPerSecond: number;
  stoppedEarly: boolean;
  interrupted: boolean;
  /** The optimizer's averaged parameters θ̂ (when it keeps them), the caller's to dispose. */
  averagedParams?: Tree;
  /** Updates skipped for a non-finite gradient (when the optimizer skips instead of stopping). */
  skippedUpdates?: number;
}

/** A pure function from the 0-based epoch to its minibatches' example indices (so a resume recomputes it). */
export type BatchSampler = (epoch: number) => Int32Array[];

const lossKindOf = (d: Dataset): LossKind => (d.numClasses > 0 ? "cross-entropy" : "mse");

function initialState(opts: TrainOptions): TrainState {
  const [modelKey] = random.splitKey(random.randomKey(opts.seed), 2);
  const init = opts.model.init(modelKey, opts.train.xShape, opts.precision);
  let params = init.params;
  if (opts.initialize) {
    params = opts.initialize(init.params, init.state);
    disposeTree(init.params);
  }
  return {
    params,
    modelState: init.state,
    optState: isClosureOptimizer(opts.optimizer) ? {} : opts.optimizer.init(refTree(params)),
  };
}

/** Host tensors of params and model state (borrowed), for keeping the best epoch's weights. */
function snapshot(state: TrainState): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  for (const [k, v] of treeToHost(state.params)) out.set(`params.${k}`, v);
  for (const [k, v] of treeToHost(state.modelState)) out.set(`modelState.${k}`, v);
  return out;
}

function restore(state: TrainState, snap: Map<string, HostTensor>, precision: Precision): TrainState {
  const pick = (prefix: string) =>
    new Map([...snap].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
  const params = treeFromHost(state.params, pick("params."), precision);
  const modelState = treeFromHost(state.modelState, pick("modelState."), precision);
  disposeTree(state.params);
  disposeTree(state.modelState);
  return { ...state, params, modelState };
}

/** Settings the loop cannot honour fail before any work, each naming the setting. */
function assertRunnable(opts: TrainOptions): void {
  const { batchSize, train: data } = opts;
  if (!(Number.isInteger(batchSize) && batchSize >= 1))
    throw new InvalidRunError(`batch size must be a positive integer, got ${batchSize}`);
  if (data.size === 0) throw new InvalidRunError("the training set has no examples");
  if (batchSize > data.size)
    throw new InvalidRunError(`batch size ${batchSize} is larger than the training set (${data.size} examples)`);
  if (!(Number.isInteger(opts.epochs) && opts.epochs >= 1))
    throw new InvalidRunError(`epochs must be a positive integer, got ${opts.epochs}`);
  if (opts.earlyStopping && !opts.validation)
    throw new InvalidRunError("early stopping (patience) needs a validation set");
  if (opts.validation?.size === 0) throw new InvalidRunError("the validation set has no examples");
}

/** A checkpoint's progress must fit this run's epochs, and the run must have something left to do. */
function assertResumableProgress(path: string, progress: Progress, stepsPerEpoch: number, epochs: number): void {
  const { step, epoch } = progress;
  if (step < epoch * stepsPerEpoch || step >= (epoch + 1) * stepsPerEpoch) {
    throw new CheckpointError(
      `checkpoint ${path}: step ${step} does not lie in epoch ${epoch + 1} (${stepsPerEpoch} steps per epoch); it ` +
        `was not written by this run`,
    );
  }
  if (progress.stoppedEarly)
    throw new InvalidRunError(
      `the run in ${path} stopped early (early stopping) after epoch ${epoch}; there is nothing to resume`,
    );
  if (epoch >= epochs)
    throw new InvalidRunError(
      `the run in ${path} finished its ${epoch} epochs; there is nothing to resume (raise the number of epochs to ` +
        `extend it)`,
    );
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The training loop: epochs of minibatches in one of the three sampling regimes of 8.1.3,
 * one compiled step each, evaluation on validation and test data, early stopping on the
 * validation loss, JSON-lines metrics, atomic checkpoints and exact resume (the batch order of
 * an epoch is a pure function of the seed and the epoch number).
 */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const { precision, batchSize } = opts;
  assertRunnable(opts);
  const kind = lossKindOf(opts.train);
  const optimizer = opts.optimizer;
  const transformation = isClosureOptimizer(optimizer) ? undefined : optimizer;
  // A minibatch solver keeps its memory on the host; the checkpoint stores it through saveState.
  const solver = isClosureOptimizer(optimizer) ? optimizer.minibatchSolver : undefined;
  if (solver && opts.loss)
    throw new Error("a custom training loss needs a gradient-transformation optimizer, not a closure solver");
  const stepper = isClosureOptimizer(optimizer)
    ? compileClosureStep(opts.model, kind, optimizer.minibatchSolver, precision)
    : compileTrainStep(opts.model, kind, optimizer, opts.loss);
  const predict = compilePredict(opts.model);
  const sampling = opts.sampling ?? "reshuffle";
  const dataKey = random.splitKey(random.randomKey(opts.seed), 2)[1];
  const batchesOf =
    opts.sampler ??
    ((epoch: number) => epochBatches({ size: opts.train.size, batchSize, regime: sampling, key: dataKey, epoch }));
  const stepsPerEpoch = batchesOf(0).length;
  const totalSteps = stepsPerEpoch * opts.epochs;

  let state = initialState(opts);
  let progress: Progress = { step: 0, epoch: 0 };
  let best: Map<string, HostTensor> | undefined;
  if (opts.resumeFrom) {
    let loaded: ReturnType<typeof loadCheckpoint> | undefined;
    try {
      loaded = loadCheckpoint(opts.resumeFrom, state, precision);
      assertResumableProgress(opts.resumeFrom, loaded.progress, stepsPerEpoch, opts.epochs);
      if (solver) solver.loadState(loaded.solver ?? new Map());
    } catch (error) {
      if (loaded)
        for (const tree of [loaded.state.params, loaded.state.modelState, loaded.state.optState]) disposeTree(tree);
      stepper.dispose();
      predict.dispose();
      throw error instanceof InvalidRunError || error instanceof CheckpointError
        ? error
        : new CheckpointError(`checkpoint ${opts.resumeFrom}: ${(error as Error).message}`);
    }
    state = loaded.state;
    progress = loaded.progress;
    best = loaded.best;
    if ("setCount" in stepper) stepper.setCount(progress.step);
  }
  const paramPaths = leavesWithPaths(state.params).map((l) => l.path);
  const metrics = new MetricsLog(opts.metricsPath);
  metrics.start(opts.resumeFrom ? progress.step : undefined);
  opts.callbacks?.onStart?.({ totalSteps, startStep: progress.step, stepsPerEpoch });

  const started = performance.now();
  const startStep = progress.step;
  // Time of the sessions before this one (a resumed run reports the whole run's time).
  const earlierSeconds = progress.elapsedSeconds ?? 0;
  const elapsed = () => earlierSeconds + (performance.now() - started) / 1000;
  let trainLoss = NaN;
  let stoppedEarly = false;
  let interrupted = false;
  const divergence = new DivergenceGuard(opts.divergenceFactor ?? 1e4);
  const checkpoint = () =>
    opts.checkpointPath &&
    saveCheckpoint(
      opts.checkpointPath,
      state,
      { ...progress, elapsedSeconds: elapsed() },
      opts.config ?? null,
      best,
      solver?.saveState(),
    );
  // An optimizer that skips non-finite gradients (and counts them) keeps the run going past them.
  const skipsNonFinite = transformation?.skippedUpdates !== undefined;
  let evaluateAverage = opts.evaluateAverage !== false && transformation?.averagedParams !== undefined;
  const evaluated = (): Tree =>
    evaluateAverage ? transformation!.averagedParams!(state.optState) : refTree(state.params);
  const evaluateOn = (data: Dataset): Evaluation => {
    const params = evaluated();
    try {
      return evaluate(predict, params, state.modelState, data, precision);
    } finally {
      disposeTree(params);
    }
  };

  try {
    epochs: while (progress.epoch < opts.epochs) {
      const epoch = progress.epoch;
      const batches = batchesOf(epoch);
      // A run resumed mid-epoch continues the sums its checkpoint saved.
      let {
        loss: lossSum,
        gradNorm: gradNormSum,
        counted,
      } = progress.epochSums ?? { loss: 0, gradNorm: 0, counted: 0 };
      delete progress.epochSums;
      for (let b = progress.step - epoch * stepsPerEpoch; b < batches.length; b++) {
        if ((opts.stopAfterSteps !== undefined && progress.step >= opts.stopAfterSteps) || opts.signal?.aborted) {
          interrupted = true;
          if (b > 0) progress.epochSums = { loss: lossSum, gradNorm: gradNormSum, counted };
          break epochs;
        }
        const batch = gatherBatch(opts.train, batches[b]);
        const n = batches[b].length;
        const x = toDevice(batch.x, [n, ...opts.train.xShape], precision);
        const yHost = kind === "cross-entropy" ? oneHot(batch.y, opts.train.numClasses) : batch.y;
        const y = toDevice(
          yHost,
          kind === "cross-entropy" ? [n, opts.train.numClasses] : [n, ...opts.train.yShape],
          precision,
        );
        const [next, stats] = stepper.run(state, x, y);
        state = next;
        progress.step++;
        const finite = Number.isFinite(stats.loss) && stats.gradNormSq.every(Number.isFinite);
        if (finite || !skipsNonFinite) {
          assertFinite(stats, progress.step, paramPaths, () => nonFiniteCause(batch, batches[b], progress.step === 1));
          divergence.check(stats.loss, progress.step);
          lossSum += stats.loss;
          gradNormSum += Math.sqrt(stats.gradNormSq.reduce((a, v) => a + v, 0));
          counted++;
        }
        opts.callbacks?.onStep?.({ step: progress.step, epoch, stats, state, paramPaths });
        if (progress.step % 8 === 0) await yieldToEventLoop();
      }
      trainLoss = counted ? lossSum / counted : trainLoss;
      progress.epoch++;
      const record: MetricsRecord = {
        type: "epoch",
        epoch: progress.epoch,
        step: progress.step,
        trainLoss,
        gradNorm: counted ? gradNormSum / counted : null,
        elapsedSeconds: elapsed(),
      };
      if (opts.validation) {
        const v = evaluateOn(opts.validation);
        record.validationLoss = v.loss;
        if (v.accuracy !== undefined) record.validationAccuracy = v.accuracy;
        if (opts.earlyStopping) {
          const improved = !progress.best || v.loss < progress.best.value;
          progress.best = improved
            ? { value: v.loss, epoch: progress.epoch, badEpochs: 0 }
            : { ...progress.best!, badEpochs: progress.best!.badEpochs + 1 };
          if (improved && opts.earlyStopping.restoreBest !== false) {
            const params = evaluated();
            best = snapshot({ ...state, params });
            disposeTree(params);
          }
          stoppedEarly = progress.best.badEpochs >= opts.earlyStopping.patience;
          if (stoppedEarly) progress.stoppedEarly = true;
        }
      }
      if (skipsNonFinite) record.skippedUpdates = transformation!.skippedUpdates!(state.optState).item();
      metrics.write(record);
      opts.callbacks?.onEpochEnd?.(record);
      checkpoint();
      if (stoppedEarly) break;
    }
    if (interrupted) checkpoint();

    if (best && opts.earlyStopping?.restoreBest !== false && !interrupted) {
      // The best epoch's evaluated parameters (θ̂ when averaging) become the parameters.
      state = restore(state, best, precision);
      evaluateAverage = false;
    }
    const seconds = elapsed();
    const result: TrainResult = {
      params: state.params,
      modelState: state.modelState,
      steps: progress.step,
      epochs: progress.epoch,
      trainLoss,
      seconds,
      examplesPerSecond:
        ((progress.step - startStep) * batchSize) / Math.max((performance.now() - started) / 1000, 1e-9),
      stoppedEarly,
      interrupted,
    };
    if (opts.validation) result.validation = evaluateOn(opts.validation);
    if (opts.test && !interrupted) {
      result.test = evaluateOn(opts.test);
      metrics.write({
        type: "test",
        step: progress.step,
        epoch: progress.epoch,
        testLoss: result.test.loss,
        testAccuracy: result.test.accuracy ?? null,
      });
    }
    if (transformation?.averagedParams) result.averagedParams = transformation.averagedParams(state.optState);
    if (skipsNonFinite) result.skippedUpdates = transformation!.skippedUpdates!(state.optState).item();
    disposeTree(state.optState);
    return result;
  } catch (error) {
    // A failed run frees the device state it holds (θ, model and optimizer state) before the error travels on.
    disposeLiveLeaves(state);
    throw error;
  } finally {
    stepper.dispose();
    predict.dispose();
  }
}

/** Disposes each leaf still alive (a step that threw may have consumed some already). */
function disposeLiveLeaves(state: TrainState): void {
  for (const { leaf } of leavesWithPaths([state.params, state.modelState, state.optState]))
    if (leaf.refCount > 0) leaf.dispose();
}
