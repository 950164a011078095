/**
 * A network's full-batch training loss as a `minimize`-style Problem over one flat θ, so that the
 * flat-vector tools (continuation, solvers) apply to a model: θ is cut into the parameter tree's
 * leaves in engine/flat's order.
 */
import { numpy as np } from "@jax-js/jax";
import {
  disposeTree,
  flattenTree,
  layoutOfTree,
  mapWithPaths,
  random,
  toDevice,
  unflattenArray,
  type Precision,
  type Tree,
} from "../engine/index.js";
import { gatherBatch, oneHot, type Dataset } from "../data/index.js";
import { meanSquaredError, softmaxCrossEntropy } from "../losses.js";
import type { Layer } from "../nn/index.js";
import type { Problem } from "../problems/index.js";

export interface ModelObjective extends Problem {
  /** The dotted path of each parameter tensor, in θ's order (unflattenTree(params, x, …) hands a solution back). */
  paths: string[];
}

/**
 * The mean training loss of `model` on all of `data`, as a function of
 * the flattened parameters (x0: the model's initialization from `seed`).
 */
export function modelObjective(model: Layer, data: Dataset, precision: Precision, seed = 0): ModelObjective {
  const init = model.init(random.randomKey(seed), data.xShape, precision);
  const x0 = flattenTree(init.params);
  const all = Int32Array.from({ length: data.size }, (_, i) => i);
  const batch = gatherBatch(data, all);
  const x = toDevice(batch.x, [data.size, ...data.xShape], precision);
  const classes = data.numClasses;
  const y =
    classes > 0
      ? toDevice(oneHot(batch.y, classes), [data.size, classes], precision)
      : toDevice(batch.y, [data.size, ...data.yShape], precision);
  const loss = classes > 0 ? softmaxCrossEntropy : meanSquaredError;
  const template = init.params;
  const state = init.state;
  const f = (theta: np.Array): np.Array => {
    const params = unflattenArray(template, theta);
    const [out, newState] = model.apply(params, refState(state), x.ref, { train: true });
    disposeTree(newState);
    return loss(out, y.ref);
  };
  return {
    name: `${model.kind}-loss`,
    dim: x0.length,
    x0,
    f,
    paths: layoutOfTree(template).paths,
    dispose: () => (disposeTree(template), disposeTree(state), x.dispose(), y.dispose()),
  };
}

const refState = (t: Tree): Tree => mapWithPaths(t, (_p, leaf) => leaf.ref);
