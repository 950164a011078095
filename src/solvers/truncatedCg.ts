import { axpy, dot, neg, norm, scale, type Vec } from "../linalg/vector.js";

export interface TruncatedCgResult {
  /** The approximate Newton step p ≈ −H⁻¹g. */
  step: Vec;
  /** Inner CG iterations (= Hessian-vector products). */
  iterations: number;
  /** Why it stopped: the residual test, negative curvature, or the iteration cap. */
  exit: "converged" | "negative-curvature" | "max-iterations";
  /** dᵀHd/dᵀd where negative curvature was met. */
  curvature?: number;
}

/**
 * Truncated conjugate gradients on H p = −g using only products v ↦ Hv (N&W Alg. 7.1's inner loop):
 * stops when ‖r‖ <= tol (in `residualNorm`), or, on a direction d with dᵀHd <= 0, returns the step built so far
 * (Steihaug's negative-curvature exit), or steepest descent scaled by the curvature met when that
 * happens on the first direction.
 */
export function truncatedCg(
  g: Vec,
  hessianTimes: (v: Vec) => Vec,
  tol: number,
  maxIter: number,
  residualNorm: (v: Vec) => number = norm,
): TruncatedCgResult {
  const z = new Float64Array(g.length);
  const r = Float64Array.from(g);
  let d = neg(g);
  let rr = dot(r, r);
  for (let j = 0; j < maxIter; j++) {
    const Hd = hessianTimes(d);
    const dHd = dot(d, Hd);
    if (dHd <= 0) {
      const curvature = dHd / dot(d, d);
      // On the first direction (d = −g) there is no step yet: go along −g scaled by |gᵀHg|/gᵀg (SciPy's choice).
      return {
        step: j === 0 ? scale(d, rr / Math.max(-dHd, 1e-300)) : z,
        iterations: j + 1,
        exit: "negative-curvature",
        curvature,
      };
    }
    const alpha = rr / dHd;
    axpy(z, alpha, d);
    axpy(r, alpha, Hd);
    const rrNew = dot(r, r);
    if (residualNorm(r) <= tol) return { step: z, iterations: j + 1, exit: "converged" };
    d = axpy(neg(r), rrNew / rr, d);
    rr = rrNew;
  }
  return { step: maxIter === 0 ? neg(g) : z, iterations: maxIter, exit: "max-iterations" };
}

/** ‖v‖₁ — SciPy's Newton-CG measures its residuals in it. */
export const norm1 = (v: Vec) => v.reduce((s, x) => s + Math.abs(x), 0);

/**
 * The forcing term of inexact Newton, η‖g‖ with η = min(0.5, √‖g‖) (N&W eq. 7.3 and after): superlinear convergence.
 */
export const forcingTolerance = (g: Vec, measure: (v: Vec) => number = norm) =>
  Math.min(0.5, Math.sqrt(measure(g))) * measure(g);
