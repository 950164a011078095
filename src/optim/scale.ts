import { tree as jaxTree } from "@jax-js/jax";
import { release, resolve, use } from "./hyper.js";
import type { ScalarOrSchedule } from "./schedule.js";
import { countedMap, type CountState, mapTree, type GradientTransformation } from "./transform.js";

/** u ← c·u, with c a number or a schedule of the update count. */
export function scale(factor: ScalarOrSchedule): GradientTransformation<CountState> {
  return countedMap((updates, k, params) => {
    jaxTree.dispose(params);
    const c = resolve(factor, k);
    const out = mapTree((u) => u.mul(use(c)), updates);
    release(c);
    return out;
  });
}

/** Δθ = −ε_k · u (Alg. 8.1's step), ε a number or a schedule (k = 1 for the first update). */
export function scaleByLearningRate(lr: ScalarOrSchedule): GradientTransformation<CountState> {
  if (typeof lr === "number" && !(lr >= 0 && Number.isFinite(lr)))
    throw new Error(`the learning rate must be a finite non-negative number, got ${lr}`);
  return countedMap((updates, k, params) => {
    jaxTree.dispose(params);
    const eps = resolve(lr, k);
    const minusEps = typeof eps === "number" ? -eps : eps.neg();
    const out = mapTree((u) => u.mul(use(minusEps)), updates);
    release(minusEps);
    return out;
  });
}

/** u ← −u: ascend instead of descend (PyTorch's `maximize`). */
export const negate = (): GradientTransformation => scale(-1);
