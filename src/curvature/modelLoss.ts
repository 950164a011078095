/**
 * A network's training loss as a TreeLoss over its parameters, and device minibatches from a
 * host dataset: what the curvature tools need to look at a model rather than a flat problem.
 */
import { numpy as np } from "@jax-js/jax";
import { disposeTree, toDevice, type Precision, type Tree } from "../engine/index.js";
// Not data/index.js: it reaches the disk loaders, and the playground bundles this file.
import { oneHot } from "../data/sampler.js";
import { gatherBatch } from "../data/dataset.js";
import type { Dataset } from "../data/dataset.js";
import { trainingLoss, type Layer } from "../nn/index.js";
import type { TreeLoss } from "./treeHvp.js";
import type { WeightedBatch } from "./treeOperator.js";

/** Mean loss of `model` in training mode: data = [modelState, x, y] (y one-hot for classification). */
export function modelLoss(model: Layer, classification: boolean): TreeLoss {
  const loss = trainingLoss(model, classification ? "cross-entropy" : "mse");
  return (params, modelState, x, y) => {
    const [value, newState] = loss(params, modelState, x as np.Array, y as np.Array);
    disposeTree(newState);
    return value;
  };
}

/** The examples at `indices` on the device: x [n, ...xShape], y one-hot [n, classes] or [n, ...yShape]. */
export function deviceBatch(
  data: Dataset,
  indices: ArrayLike<number>,
  precision: Precision,
): { x: np.Array; y: np.Array } {
  const n = indices.length;
  const batch = gatherBatch(data, indices);
  const x = toDevice(batch.x, [n, ...data.xShape], precision);
  const y =
    data.numClasses > 0
      ? toDevice(oneHot(batch.y, data.numClasses), [n, data.numClasses], precision)
      : toDevice(batch.y, [n, ...data.yShape], precision);
  return { x, y };
}

/**
 * The whole dataset (or the examples at `indices`) in chunks of `chunk`, weighted n_b/N, as data
 * arguments [modelState, x, y] of `modelLoss`: its Hessian is then the full-batch Hessian.
 * `modelState` is borrowed by each batch (pass it once; the caller disposes it).
 */
export function weightedBatches(
  data: Dataset,
  modelState: Tree,
  precision: Precision,
  opts: { chunk?: number; indices?: ArrayLike<number> } = {},
): WeightedBatch[] {
  const all = opts.indices ?? Int32Array.from({ length: data.size }, (_, i) => i);
  const chunk = opts.chunk ?? 1000;
  const out: WeightedBatch[] = [];
  for (let start = 0; start < all.length; start += chunk) {
    const idx = Array.from({ length: Math.min(chunk, all.length - start) }, (_, i) => all[start + i]);
    const { x, y } = deviceBatch(data, idx, precision);
    out.push({ data: [modelState, x, y], weight: idx.length / all.length });
  }
  return out;
}

/** Disposes the x and y of batches made by weightedBatches (not the shared model state). */
export function disposeBatches(batches: WeightedBatch[]): void {
  for (const b of batches) for (const d of b.data.slice(1)) disposeTree(d);
}
