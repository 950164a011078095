import { matVec } from "../linalg/matrix.js";
import type { Objective } from "../problems/objective.js";

/**
 * A symmetric linear map known only through its products: the Hessian at a point, seen as
 * v ↦ Hv. Every spectral method here (Lanczos, power iteration, Hutchinson, SLQ) needs nothing
 * else, so H is never formed. `apply` returns a new array and leaves v alone.
 */
export interface HessianOperator {
  readonly dim: number;
  apply(v: Float64Array): Float64Array;
}

/** An operator that counts its products (the honest currency: HVPs, like SciPy's nhev). */
export interface CountedOperator extends HessianOperator {
  readonly products: number;
}

export function counted(op: HessianOperator): CountedOperator {
  let products = 0;
  return {
    dim: op.dim,
    apply(v) {
      products++;
      return op.apply(v);
    },
    get products() {
      return products;
    },
  };
}

/** The Hessian of a flat problem at x, through the Objective's (counted) HVPs. */
export function objectiveHessian(objective: Objective, x: ArrayLike<number>): HessianOperator {
  const at = Float64Array.from(x);
  return { dim: objective.dim, apply: (v) => objective.hvp(at, v) };
}

/** A dense symmetric n×n matrix (row-major) as an operator: for tests and small checks. */
export function denseOperator(matrix: ArrayLike<number>, n: number): HessianOperator {
  if (matrix.length !== n * n) throw new Error(`a ${n}×${n} matrix needs ${n * n} entries, got ${matrix.length}`);
  return { dim: n, apply: (v) => matVec(matrix, v) };
}
