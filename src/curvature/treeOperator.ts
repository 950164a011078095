/**
 * A loss over a parameter pytree seen as a Hessian operator on flat float64 host vectors, so the
 * Krylov methods apply to networks. The Hessian of a mean loss over the full data is the weighted
 * mean of the minibatch Hessians, so a dataset is covered batch by batch (weights n_b/N).
 */
import { numpy as np } from "@jax-js/jax";
import {
  disposeTree,
  flattenTree,
  leavesWithPaths,
  refTree,
  unflattenTree,
  type Precision,
  type Tree,
} from "../engine/index.js";
import type { HessianOperator } from "./operator.js";
import { compileTreeHvp, compileValueAndGrad, type TreeHvpOptions, type TreeLoss } from "./treeHvp.js";

/** One batch of data arguments of the loss (e.g. [modelState, x, y]) and its weight in the mean. */
export interface WeightedBatch {
  data: Tree[];
  weight: number;
}

export interface TreeLossHessian extends HessianOperator {
  /** The (weighted) loss and its flat gradient at the point, computed once. */
  valueAndGradient(): [number, Float64Array];
  /** Releases the kept parameters and compiled functions (not the batches: they are borrowed). */
  dispose(): void;
}

/**
 * The Hessian at `params` (kept with refTree until dispose) of Σ_b weight_b · loss(params, ...data_b).
 * Batches are borrowed: keep them alive while the operator is used.
 */
export function treeLossHessian(
  loss: TreeLoss,
  params: Tree,
  batches: WeightedBatch[],
  precision: Precision,
  opts: TreeHvpOptions = {},
): TreeLossHessian {
  if (batches.length === 0) throw new Error("treeLossHessian needs at least one batch");
  const kept = refTree(params);
  const hvp = compileTreeHvp(loss, precision, opts);
  const vg = compileValueAndGrad(loss, precision, opts.jit);
  const dim = leavesWithPaths(kept).reduce((n, l) => n + l.leaf.size, 0);
  let known: [number, Float64Array] | undefined;
  const accumulate = (parts: { weight: number; tree: Tree }[]) => {
    const out = new Float64Array(dim);
    for (const { weight, tree } of parts) {
      const flat = flattenTree(tree);
      disposeTree(tree);
      for (let i = 0; i < dim; i++) out[i] += weight * flat[i];
    }
    return out;
  };
  return {
    dim,
    apply(v) {
      if (v.length !== dim) throw new Error(`vector has ${v.length} entries, the parameters ${dim}`);
      return accumulate(
        batches.map((b) => ({ weight: b.weight, tree: hvp.run(kept, unflattenTree(kept, v, precision), ...b.data) })),
      );
    },
    valueAndGradient() {
      if (!known) {
        let value = 0;
        const grads = batches.map((b) => {
          const [f, g] = vg.run(kept, ...b.data);
          value += b.weight * (f as np.Array).item();
          return { weight: b.weight, tree: g };
        });
        known = [value, accumulate(grads)];
      }
      return [known[0], Float64Array.from(known[1])];
    },
    dispose() {
      hvp.dispose();
      vg.dispose();
      disposeTree(kept);
    },
  };
}
