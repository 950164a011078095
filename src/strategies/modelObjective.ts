/**
 * A network's full-batch training loss as a `minimize`-style Problem over one flat θ, so that the
 * flat-vector tools (continuation, solvers) apply to a model: θ is cut into the parameter tree's
 * leaves in `leavesWithPaths` order.
 */
import { numpy as np } from "@jax-js/jax";
import { disposeTree, leavesWithPaths, mapWithPaths, random, toDevice, type Precision, type Tree } from "../engine/index.js";
import { gatherBatch, oneHot, type Dataset } from "../data/index.js";
import { meanSquaredError, softmaxCrossEntropy } from "../losses.js";
import type { Layer } from "../nn/index.js";
import type { Problem } from "../problems/index.js";

export interface ModelObjective extends Problem {
  /** The parameter tree of a flat θ (host values), for handing a solution back to the model. */
  paths: string[];
}

/** The mean training loss of `model` on all of `data`, as a function of the flattened parameters (x0: the model's initialization from `seed`). */
export function modelObjective(model: Layer, data: Dataset, precision: Precision, seed = 0): ModelObjective {
  const init = model.init(random.randomKey(seed), data.xShape, precision);
  const leaves = leavesWithPaths(init.params);
  const offsets = leaves.reduce<number[]>((acc, l) => [...acc, acc[acc.length - 1] + l.leaf.size], [0]);
  const x0 = new Float64Array(offsets[offsets.length - 1]);
  leaves.forEach((l, i) => x0.set(l.leaf.ref.dataSync() as ArrayLike<number>, offsets[i]));
  const all = Int32Array.from({ length: data.size }, (_, i) => i);
  const batch = gatherBatch(data, all);
  const x = toDevice(batch.x, [data.size, ...data.xShape], precision);
  const classes = data.numClasses;
  const y = classes > 0 ? toDevice(oneHot(batch.y, classes), [data.size, classes], precision) : toDevice(batch.y, [data.size, ...data.yShape], precision);
  const loss = classes > 0 ? softmaxCrossEntropy : meanSquaredError;
  const template = init.params;
  const state = init.state;
  const f = (theta: np.Array): np.Array => {
    let i = 0;
    const params = mapWithPaths(template, (_path, leaf) => {
      const piece = theta.ref.slice([offsets[i], offsets[i + 1]]).reshape(leaf.shape);
      i++;
      return piece;
    });
    theta.dispose();
    const [out, newState] = model.apply(params, refState(state), x.ref, { train: true });
    disposeTree(newState);
    return loss(out, y.ref);
  };
  return {
    name: `${model.kind}-loss`,
    dim: x0.length,
    x0,
    f,
    paths: leaves.map((l) => l.path),
    dispose: () => (disposeTree(template), disposeTree(state), x.dispose(), y.dispose()),
  };
}

const refState = (t: Tree): Tree => mapWithPaths(t, (_p, leaf) => leaf.ref);
