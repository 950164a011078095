import { numpy as np, jit, valueAndGrad, tree as jaxTree } from "@jax-js/jax";
import { type Key, leavesWithPaths, type Precision, refTree, type Tree } from "../engine/index.js";
import type { LossKind } from "../losses.js";
import { trainingLoss, type Layer } from "../nn/index.js";
import { applyUpdates, type GradientTransformation } from "../optim/index.js";

export type { LossKind } from "../losses.js";

/** Everything the training loop carries from step to step. */
export type TrainState = {
  params: Tree;
  modelState: Tree;
  optState: Tree;
};

/** The state before the first step: `model`'s parameters and state drawn from `key`, and `optimizer`'s own state. */
export function initTrainState(
  model: Layer,
  key: Key,
  inputShape: number[],
  precision: Precision,
  optimizer: GradientTransformation,
): TrainState {
  const init = model.init(key, inputShape, precision);
  return { params: init.params, modelState: init.state, optState: optimizer.init(refTree(init.params)) };
}

/**
 * What one step reports: the minibatch loss and each parameter's squared gradient norm (same order as `paramPaths`).
 */
export interface StepStats {
  loss: number;
  gradNormSq: Float64Array;
}

/**
 * A training objective in place of the dataset's default loss: the model's training-mode output,
 * the batch targets (one-hot for classification) and the step count k (1 at the first step, a
 * scalar array, so weights can follow a schedule inside the compiled step).
 */
export type TrainLoss = (output: np.Array, targets: np.Array, step: np.Array) => np.Array;

/**
 * One compiled training step: forward, backward and optimizer update in a single `jit`,
 * returning the new state and a small stats vector [loss, ‖g_1‖², …, ‖g_L‖²] — the only
 * values read back to the host (for the progress bar, the non-finite guard and layer norms).
 */
export function compileTrainStep(
  model: Layer,
  kind: LossKind,
  optimizer: GradientTransformation,
  customLoss?: TrainLoss,
) {
  const standard = trainingLoss(model, kind);
  // A custom loss sees the training-mode output, the targets and the step count k; the standard one ignores k.
  const objective = (params: Tree, modelState: Tree, x: np.Array, y: np.Array, k: np.Array): [np.Array, Tree] => {
    if (!customLoss) return (k.dispose(), standard(params, modelState, x, y));
    const [out, newState] = model.apply(params, modelState, x, { train: true });
    return [customLoss(out, y, k), newState];
  };
  const step = jit((s: TrainState, x: np.Array, y: np.Array, k: np.Array) => {
    // Nesterov-type optimizers name the point where this step's gradient is taken (θ + αv); one gradient either way.
    const point = optimizer.evaluationPoint
      ? optimizer.evaluationPoint(refTree(s.params), refTree(s.optState))
      : refTree(s.params);
    const [[value, modelState], grads] = valueAndGrad(objective, { hasAux: true })(point, s.modelState, x, y, k);
    const norms = leavesWithPaths(grads as Tree).map(({ leaf }) => np.square(leaf.ref).sum().astype(value.dtype));
    const stats = np.stack([value, ...norms]);
    const [updates, optState] = optimizer.update(grads as Tree, s.optState, refTree(s.params));
    const params = applyUpdates(s.params, updates);
    return [{ params, modelState, optState }, stats] as [TrainState, np.Array];
  });
  let count = 0;
  // The step count as a scalar of the batch's dtype (k = 1 at the first step of this stepper).
  const nextCount = (x: np.Array) => np.full([], ++count, { dtype: x.dtype, device: x.device });
  return {
    /** Consumes the state and the batch; returns the next state and the step's stats. */
    run(state: TrainState, x: np.Array, y: np.Array): [TrainState, StepStats] {
      const [next, stats] = step(state as never, x, y, nextCount(x)) as unknown as [TrainState, np.Array];
      const values = Float64Array.from(stats.dataSync());
      return [next, { loss: values[0], gradNormSq: values.subarray(1) }];
    },
    /** The same, reading the stats asynchronously: lets jax-js run kernels on its worker pool. */
    async runAsync(state: TrainState, x: np.Array, y: np.Array): Promise<[TrainState, StepStats]> {
      const [next, stats] = step(state as never, x, y, nextCount(x)) as unknown as [TrainState, np.Array];
      const values = Float64Array.from((await stats.data()) as ArrayLike<number>);
      return [next, { loss: values[0], gradNormSq: values.subarray(1) }];
    },
    /** Sets the step count of the next step to k + 1 (a resumed run continues its schedule). */
    setCount: (k: number) => void (count = k),
    dispose: () => step.dispose(),
  };
}

/** Compiled inference: model outputs in eval mode (running BN statistics). Borrows params and state. */
export function compilePredict(model: Layer) {
  const predict = jit((params: Tree, modelState: Tree, x: np.Array) => {
    const [out, state] = model.apply(params, modelState, x, { train: false });
    jaxTree.dispose(state);
    return out;
  });
  return {
    run: (params: Tree, modelState: Tree, x: np.Array): np.Array =>
      predict(refTree(params) as never, refTree(modelState) as never, x),
    dispose: () => predict.dispose(),
  };
}
