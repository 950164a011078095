import { ObjectiveLine } from "../linesearch/lineFunction.js";
import { strongWolfe } from "../linesearch/strongWolfe.js";
import { dot, neg, norm, sub, type Vec } from "../linalg/vector.js";
import type { OptimizeResult } from "./result.js";
import type { Objective } from "../problems/objective.js";
import { identity, matVec } from "../linalg/matrix.js";
import type { SolverOptions } from "./options.js";
import { SolverRun } from "./run.js";

export interface BfgsOptions extends SolverOptions {
  /**
   * Scale M₀ = (sᵀy / yᵀy) I before the first update (N&W eq. 6.20). Default false (M₀ = I, as SciPy):
   * measured on the SciPy suite, scaling costs more gradients on rosenbrock and the ill-conditioned
   * quadratic (unit steps are then accepted while too short) and saves some on logistic (docs/solvers.md).
   */
  initialScaling?: boolean;
  /** Wolfe constants (defaults 1e-4 and 0.9, the quasi-Newton choice). */
  c1?: number;
  c2?: number;
  /** First trial step: always 1 (N&W's advice for quasi-Newton), or min(1, 2.02(f_k − f_{k−1})/φ'(0)) (eq. 3.60's variant, SciPy's). */
  initialStep?: "unit" | "interpolate";
}

/** The first trial step along −g when no curvature is known yet: a step of length 1 (SciPy's choice too). */
export const firstStep = (g: Vec) => Math.min(1, 1 / norm(g));

/** min(1, 2.02(f_k − f_{k−1})/φ'(0)): the step that would repeat the last decrease (N&W eq. 3.60's variant, SciPy's); 1 when that is not positive. */
export function interpolatedStep(f: number, fPrev: number, slope: number): number {
  const alpha = Math.min(1, (2.02 * (f - fPrev)) / slope);
  return alpha > 0 ? alpha : 1;
}

/**
 * BFGS (book eqs. 8.32-8.33; N&W Alg. 6.1): keeps an inverse-Hessian approximation M and steps along
 * p = −M g with a strong Wolfe line search. The update M ← (I − ρ s yᵀ) M (I − ρ y sᵀ) + ρ s sᵀ,
 * ρ = 1/(yᵀs), is skipped when sᵀy <= 0 would destroy positive definiteness.
 */
export function bfgs(objective: Objective, x0: ArrayLike<number>, options: BfgsOptions = {}): OptimizeResult {
  const { initialScaling = false, c1 = 1e-4, c2 = 0.9, initialStep = "unit" } = options;
  const n = objective.dim;
  const run = new SolverRun(objective, options);
  let x: Vec = Float64Array.from(x0);
  let [f, g] = objective.valueAndGrad(x);
  let M = identity(n);
  let updated = false;
  let skipped = 0;
  let fPrev = NaN;
  for (;;) {
    const stop = run.stopBefore(f, norm(g));
    if (stop) return run.result(x, f, norm(g), { ...stop, message: skipped ? `${stop.message} (${skipped} updates skipped for sᵀy <= 0)` : stop.message });
    let p = neg(matVec(M, g));
    if (!(dot(p, g) < 0)) {
      // Rounding can spoil M's definiteness: fall back to steepest descent and start M afresh.
      M = identity(n);
      updated = false;
      p = neg(g);
    }
    const line = new ObjectiveLine(objective, x, p);
    const slope = dot(g, p);
    const alpha0 = !updated ? firstStep(g) : initialStep === "unit" ? 1 : interpolatedStep(f, fPrev, slope);
    const search = strongWolfe(line, f, slope, { c1, c2, alpha0 });
    if (!(search.alpha > 0)) return run.result(x, f, norm(g), { converged: false, message: `line search failed: ${search.message}` });
    const [fNew, gNew] = line.valueAndGrad(search.alpha);
    const xNew = line.point(search.alpha);
    const s = sub(xNew, x);
    const y = sub(gNew, g);
    const sy = dot(s, y);
    if (sy > 1e-10 * norm(s) * norm(y)) {
      if (!updated && initialScaling) M = identity(n, sy / dot(y, y));
      updateInverseHessian(M, s, y, sy);
      updated = true;
    } else skipped++;
    [x, fPrev, f, g] = [xNew, f, fNew, gNew];
    run.record(x, f, norm(g), { alpha: search.alpha });
  }
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
