import { numpy as np, tree as jaxTree } from "@jax-js/jax";
import type { Tree } from "../engine/index.js";
import { release, resolve, use, useAs, type Resolved } from "./hyper.js";
import type { ScalarOrSchedule } from "./schedule.js";
import { countedMap, type CountState, leavesOf, mapTree, type GradientTransformation } from "./transform.js";

/** ‖u‖₂ over every leaf of the tree, as a scalar array (borrows the tree). */
export function globalNorm(t: Tree): np.Array {
  const squares = leavesOf(t).map((leaf) => np.square(leaf.ref).sum());
  return np.sqrt(squares.reduce((a, b) => a.add(b)));
}

// u·c/max(‖u‖, c): u itself when ‖u‖ <= c, else u rescaled to norm c (consumes norm).
const rescaleFactor = (norm: np.Array, c: Resolved) => {
  const limit = useAs(norm, c);
  return np.reciprocal(np.maximum(norm, limit)).mul(use(c));
};

/**
 * Clipping by the global norm (8.2.4; Pascanu et al. 2013): if ‖g‖ > c, g ← g·c/‖g‖, with ‖g‖ over all
 * parameters together, so the direction of the step is kept. (PyTorch's clip_grad_norm_ adds 1e-6 to ‖g‖.)
 */
export function clipByGlobalNorm(maxNorm: ScalarOrSchedule): GradientTransformation<CountState> {
  return countedMap((updates, k, params) => {
    jaxTree.dispose(params);
    const c = resolve(maxNorm, k);
    const factor = rescaleFactor(globalNorm(updates), c);
    const out = mapTree((u) => u.mul(factor.ref), updates);
    factor.dispose();
    release(c);
    return out;
  });
}

/** Each tensor clipped to norm c on its own (the step's direction may change). */
export function clipByTensorNorm(maxNorm: ScalarOrSchedule): GradientTransformation<CountState> {
  return countedMap((updates, k, params) => {
    jaxTree.dispose(params);
    const c = resolve(maxNorm, k);
    const out = mapTree((u) => u.ref.mul(rescaleFactor(np.sqrt(np.square(u).sum()), c)), updates);
    release(c);
    return out;
  });
}

/** Each entry clipped to [−c, c] (Mikolov's element-wise clipping, 8.2.4). */
export function clipByValue(maxValue: ScalarOrSchedule): GradientTransformation<CountState> {
  return countedMap((updates, k, params) => {
    jaxTree.dispose(params);
    const c = resolve(maxValue, k);
    const out = mapTree((u) => np.clip(u, typeof c === "number" ? useAs(u, -c) : c.ref.neg(), useAs(u, c)), updates);
    release(c);
    return out;
  });
}
