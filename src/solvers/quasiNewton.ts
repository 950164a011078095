import { firstStep, interpolatedStep } from "../linesearch/initialStep.js";
import { ObjectiveLine } from "../linesearch/lineFunction.js";
import { strongWolfe } from "../linesearch/strongWolfe.js";
import { dot, neg, norm, sub, type Vec } from "../linalg/vector.js";
import type { Objective } from "../problems/objective.js";
import type { SolverOptions } from "./options.js";
import type { OptimizeResult } from "./result.js";
import { SolverRun } from "./run.js";

/** An inverse-Hessian approximation H built from curvature pairs (s, y): dense BFGS or L-BFGS's memory. */
export interface InverseHessianApproximation {
  /** −H g. */
  direction(g: Vec): Vec;
  /** Takes in (s, y) when sᵀy > 0 (the curvature condition); false when the pair was skipped. */
  update(s: Vec, y: Vec): boolean;
  /** Back to H = I (rounding spoiled its definiteness). */
  reset(): void;
  /** Whether no pair has been taken in since the start or the last reset. */
  readonly empty: boolean;
  /** What a skipped pair is called in the result's message ("updates", "pairs"). */
  readonly skippedName: string;
}

/** Whether sᵀy is positive enough, relative to ‖s‖‖y‖, to keep H positive definite. */
export const curvatureHolds = (s: Vec, y: Vec, sy: number): boolean => sy > 1e-10 * norm(s) * norm(y);

export interface QuasiNewtonOptions extends SolverOptions {
  /** Wolfe constants (defaults 1e-4 and 0.9, the quasi-Newton choice). */
  c1?: number;
  c2?: number;
  /**
   * First trial step once H has curvature: always 1 (N&W's advice for quasi-Newton), or eq. 3.60's variant (SciPy's).
   */
  initialStep?: "unit" | "interpolate";
}

/**
 * The quasi-Newton loop shared by BFGS and L-BFGS (N&W Alg. 6.1 / 7.5): step along p = −H g with a
 * strong Wolfe line search, then update H with s = x_{k+1} − x_k, y = g_{k+1} − g_k.
 */
export function quasiNewton(
  objective: Objective,
  x0: ArrayLike<number>,
  options: QuasiNewtonOptions,
  H: InverseHessianApproximation,
): OptimizeResult {
  const { c1 = 1e-4, c2 = 0.9, initialStep = "unit" } = options;
  const run = new SolverRun(objective, options);
  let { x, f, g } = run.start(x0);
  let skipped = 0;
  let fPrev = NaN;
  for (;;) {
    const done = run.finishIf(x, f, g, skipped ? `${skipped} ${H.skippedName} skipped for sᵀy <= 0` : undefined);
    if (done) return done;
    let p = H.direction(g);
    if (!(dot(p, g) < 0)) {
      // Rounding can spoil H's definiteness: fall back to steepest descent and start H afresh.
      H.reset();
      p = neg(g);
    }
    const line = new ObjectiveLine(objective, x, p);
    const slope = dot(g, p);
    const alpha0 = H.empty ? firstStep(g) : initialStep === "unit" ? 1 : interpolatedStep(f, fPrev, slope);
    const search = strongWolfe(line, f, slope, { c1, c2, alpha0 });
    if (!(search.alpha > 0))
      return run.result(x, f, norm(g), {
        status: "lineSearchFailed",
        message: `line search failed: ${search.message}`,
      });
    const [fNew, gNew] = line.valueAndGrad(search.alpha);
    const xNew = line.point(search.alpha);
    if (!H.update(sub(xNew, x), sub(gNew, g))) skipped++;
    [x, fPrev, f, g] = [xNew, f, fNew, gNew];
    run.record(x, f, norm(g), { alpha: search.alpha });
  }
}
