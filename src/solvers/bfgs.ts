import { dot, neg, type Vec } from "../linalg/vector.js";
import { identity, matVec } from "../linalg/matrix.js";
import {
  curvatureHolds,
  quasiNewton,
  type InverseHessianApproximation,
  type QuasiNewtonOptions,
} from "./quasiNewton.js";
import type { OptimizeResult } from "./result.js";
import { onObjective, type SolverInput } from "./input.js";

export interface BfgsOptions extends QuasiNewtonOptions {
  /**
   * Scale M₀ = (sᵀy / yᵀy) I before the first update (N&W eq. 6.20). Default false (M₀ = I, as SciPy):
   * measured on the SciPy suite, scaling costs more gradients on rosenbrock and the ill-conditioned
   * quadratic (unit steps are then accepted while too short) and saves some on logistic (docs/solvers.md).
   */
  initialScaling?: boolean;
}

/** The dense inverse-Hessian approximation M of BFGS (n×n, row-major). */
export class DenseInverseHessian implements InverseHessianApproximation {
  readonly skippedName = "updates";
  private M: Float64Array;
  private updated = false;

  constructor(
    readonly n: number,
    readonly initialScaling = false,
  ) {
    this.M = identity(n);
  }

  get empty(): boolean {
    return !this.updated;
  }

  direction(g: Vec): Vec {
    return neg(matVec(this.M, g));
  }

  reset(): void {
    this.M = identity(this.n);
    this.updated = false;
  }

  update(s: Vec, y: Vec): boolean {
    const sy = dot(s, y);
    if (!curvatureHolds(s, y, sy)) return false;
    if (!this.updated && this.initialScaling) this.M = identity(this.n, sy / dot(y, y));
    updateInverseHessian(this.M, s, y, sy);
    this.updated = true;
    return true;
  }
}

/**
 * BFGS (book eqs. 8.32-8.33; N&W Alg. 6.1): keeps an inverse-Hessian approximation M and steps along
 * p = −M g with a strong Wolfe line search. The update M ← (I − ρ s yᵀ) M (I − ρ y sᵀ) + ρ s sᵀ,
 * ρ = 1/(yᵀs), is skipped when sᵀy <= 0 would destroy positive definiteness.
 */
export function bfgs(f: SolverInput, x0: ArrayLike<number>, options: BfgsOptions = {}): OptimizeResult {
  return onObjective(f, x0, (objective) =>
    quasiNewton(objective, x0, options, new DenseInverseHessian(objective.dim, options.initialScaling ?? false)),
  );
}

/** M ← (I − ρ s yᵀ) M (I − ρ y sᵀ) + ρ s sᵀ in place, expanded: M − ρ(My sᵀ + s yᵀM) + (ρ² yᵀMy + ρ) s sᵀ. */
function updateInverseHessian(M: Float64Array, s: Vec, y: Vec, sy: number): void {
  const n = s.length;
  const rho = 1 / sy;
  const My = matVec(M, y);
  const coef = rho * rho * dot(y, My) + rho;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) M[i * n + j] += -rho * (My[i] * s[j] + s[i] * My[j]) + coef * s[i] * s[j];
  }
}
