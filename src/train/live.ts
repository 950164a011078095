/**
 * Training a step at a time, for a page that draws between steps (the playground's panel 2): the
 * Trainer's compiled step, its initialization and minibatch order for a seed, and its divergence
 * diagnosis (`assertFinite` with `nonFiniteCause`, `DivergenceGuard`), without the Trainer's disk
 * (checkpoints, metrics files), so it runs in a browser.
 */
import { disposeTree, leavesWithPaths, random, toDevice, type Precision, type Tree } from "../engine/index.js";
import { gatherBatch, type Dataset } from "../data/dataset.js";
import { epochBatches, oneHot } from "../data/sampler.js";
import type { Layer } from "../nn/index.js";
import type { GradientTransformation } from "../optim/transform.js";
import { assertFinite, DivergenceGuard, nonFiniteCause } from "./guard.js";
import { compilePredict, compileTrainStep, initTrainState, type TrainState } from "./step.js";

export interface LiveTrainingOptions {
  model: Layer;
  /** A classification dataset (cross-entropy loss). */
  data: Dataset;
  optimizer: GradientTransformation;
  batchSize: number;
  /** Seeds the initialization and the minibatch order exactly as `train` does for the same seed. */
  seed: number;
  precision: Precision;
  /** Stop when a loss exceeds this many times the first one (the Trainer's default, 1e4). */
  divergenceFactor?: number;
}

export class LiveTraining {
  /** Steps taken so far. */
  step = 0;
  /** The minibatch loss of every step taken. */
  readonly losses: number[] = [];
  private state: TrainState;
  private readonly stepper;
  private readonly predictor;
  private readonly paramPaths: string[];
  private readonly guard: DivergenceGuard;
  private readonly dataKey;
  private batches: Int32Array[] = [];

  constructor(private readonly opts: LiveTrainingOptions) {
    if (opts.data.numClasses < 2) throw new Error(`LiveTraining needs a classification dataset, got ${opts.data.name}`);
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1)
      throw new Error(`batch size must be a positive integer, got ${opts.batchSize}`);
    const [modelKey, dataKey] = random.splitKey(random.randomKey(opts.seed), 2);
    this.dataKey = dataKey;
    this.state = initTrainState(opts.model, modelKey, opts.data.xShape, opts.precision, opts.optimizer);
    this.paramPaths = leavesWithPaths(this.state.params).map((l) => l.path);
    this.stepper = compileTrainStep(opts.model, "cross-entropy", opts.optimizer);
    this.predictor = compilePredict(opts.model);
    this.guard = new DivergenceGuard(opts.divergenceFactor ?? 1e4);
  }

  /** Epochs reshuffle like the Trainer's default ("reshuffle" sampling). */
  private nextBatch(): Int32Array {
    if (this.batches.length === 0) {
      const { size } = this.opts.data;
      const epoch = Math.floor((this.step * this.opts.batchSize) / size);
      this.batches = epochBatches({
        size,
        batchSize: this.opts.batchSize,
        regime: "reshuffle",
        key: this.dataKey,
        epoch,
      }).reverse();
    }
    return this.batches.pop()!;
  }

  /**
   * Takes `steps` steps; returns their losses. Throws the Trainer's TrainingDivergedError (NonFiniteError or
   * LossDivergedError, naming the step and the cause) at the first step that diverges.
   */
  run(steps: number): number[] {
    const { data, precision } = this.opts;
    const out: number[] = [];
    for (let s = 0; s < steps; s++) {
      const indices = this.nextBatch();
      const batch = gatherBatch(data, indices);
      const n = indices.length;
      const x = toDevice(batch.x, [n, ...data.xShape], precision);
      const y = toDevice(oneHot(batch.y, data.numClasses), [n, data.numClasses], precision);
      const [next, stats] = this.stepper.run(this.state, x, y);
      this.state = next;
      this.step++;
      assertFinite(stats, this.step, this.paramPaths, () => nonFiniteCause(batch, indices, this.step === 1));
      this.guard.check(stats.loss, this.step);
      this.losses.push(stats.loss);
      out.push(stats.loss);
    }
    return out;
  }

  /** Class probabilities (softmax of the eval-mode outputs, on the host) at points given row-major [n, ...xShape]. */
  probabilities(points: ArrayLike<number>): Float64Array {
    const { data, precision } = this.opts;
    const n = points.length / data.xShape.reduce((a, b) => a * b, 1);
    const x = toDevice(points, [n, ...data.xShape], precision);
    const out = Float64Array.from(
      this.predictor.run(this.state.params, this.state.modelState, x).dataSync() as ArrayLike<number>,
    );
    const c = data.numClasses;
    for (let i = 0; i < n; i++) {
      const row = out.subarray(i * c, (i + 1) * c);
      const top = Math.max(...row);
      let sum = 0;
      for (let j = 0; j < c; j++) sum += row[j] = Math.exp(row[j] - top);
      for (let j = 0; j < c; j++) row[j] /= sum;
    }
    return out;
  }

  /** The current parameters and model state (borrowed: refTree them to keep). */
  get params(): Tree {
    return this.state.params;
  }
  get modelState(): Tree {
    return this.state.modelState;
  }

  dispose(): void {
    disposeTree(this.state as unknown as Tree);
    this.stepper.dispose();
    this.predictor.dispose();
  }
}
