import { axpy, dot, neg, type Vec } from "../linalg/vector.js";
import {
  curvatureHolds,
  quasiNewton,
  type InverseHessianApproximation,
  type QuasiNewtonOptions,
} from "./quasiNewton.js";
import type { OptimizeResult } from "./result.js";
import { onObjective, type SolverInput } from "./input.js";

export interface LbfgsOptions extends Omit<QuasiNewtonOptions, "initialStep"> {
  /** Number of (s, y) pairs kept (default 10). */
  memory?: number;
}

/** The last m curvature pairs of L-BFGS, oldest first. */
export class LbfgsMemory implements InverseHessianApproximation {
  readonly skippedName = "pairs";
  readonly pairs: { s: Vec; y: Vec; rho: number }[] = [];
  constructor(readonly size: number) {
    if (!(Number.isInteger(size) && size >= 1))
      throw new Error(`L-BFGS memory must be a positive integer, got ${size}`);
  }

  /** Stores (s, y) when sᵀy > 0 (curvature condition); returns false when the pair was skipped. */
  update(s: Vec, y: Vec): boolean {
    const sy = dot(s, y);
    if (!curvatureHolds(s, y, sy)) return false;
    if (this.pairs.length === this.size) this.pairs.shift();
    this.pairs.push({ s, y, rho: 1 / sy });
    return true;
  }

  /** −H g by the two-loop recursion (N&W Alg. 7.4), H₀ = γI with γ = sᵀy / yᵀy of the newest pair (eq. 7.20). */
  direction(g: Vec): Vec {
    const q = Float64Array.from(g);
    const k = this.pairs.length;
    const alphas = new Float64Array(k);
    for (let i = k - 1; i >= 0; i--) {
      const { s, y, rho } = this.pairs[i];
      alphas[i] = rho * dot(s, q);
      axpy(q, -alphas[i], y);
    }
    const newest = this.pairs[k - 1];
    const gamma = newest ? 1 / (newest.rho * dot(newest.y, newest.y)) : 1;
    for (let i = 0; i < q.length; i++) q[i] *= gamma;
    for (let i = 0; i < k; i++) {
      const { s, y, rho } = this.pairs[i];
      const beta = rho * dot(y, q);
      axpy(q, alphas[i] - beta, s);
    }
    return neg(q);
  }

  get empty(): boolean {
    return this.pairs.length === 0;
  }

  reset(): void {
    this.pairs.length = 0;
  }
}

/**
 * L-BFGS (N&W Alg. 7.5): BFGS with the inverse Hessian kept implicitly as the last m pairs (s, y),
 * applied by the two-loop recursion; strong Wolfe line search with c2 = 0.9, unit step first.
 */
export function lbfgs(f: SolverInput, x0: ArrayLike<number>, options: LbfgsOptions = {}): OptimizeResult {
  return onObjective(f, x0, (objective) =>
    quasiNewton(objective, x0, { ...options, initialStep: "unit" }, new LbfgsMemory(options.memory ?? 10)),
  );
}
