import { backtracking } from "../linesearch/backtracking.js";
import { ObjectiveLine } from "../linesearch/lineFunction.js";
import { strongWolfe } from "../linesearch/strongWolfe.js";
import { dot, norm, pointAt } from "../linalg/vector.js";
import type { OptimizeResult } from "./result.js";
import { onObjective, type SolverInput } from "./input.js";
import type { Objective } from "../problems/objective.js";
import { interpolatedStep } from "../linesearch/initialStep.js";
import type { SolverOptions } from "./options.js";
import { SolverRun } from "./run.js";
import { steihaugCg } from "./steihaug.js";
import { forcingTolerance, norm1, truncatedCg } from "./truncatedCg.js";

export interface NewtonCgOptions extends SolverOptions {
  /** Cap on inner CG iterations per outer step (default n). */
  maxInner?: number;
  /** "strong-wolfe" (c2 = 0.9; default) or "backtracking" (Armijo, N&W Alg. 7.1). */
  lineSearch?: "backtracking" | "strong-wolfe";
  /** First trial step: min(1, 2.02(f_k − f_{k−1})/φ'(0)) (eq. 3.60's variant, SciPy's; default) or always 1. */
  initialStep?: "unit" | "interpolate";
  /** Norm of the forcing test ‖r‖ <= η‖g‖: 2 (N&W) or 1 (SciPy's Newton-CG; default, see docs/solvers.md). */
  forcingNorm?: 1 | 2;
  /** Globalization: a line search along the truncated-CG step (default), or a trust region with CG-Steihaug. */
  globalization?: "line-search" | "trust-region";
  /** Trust region: first radius (default 1) and largest radius (default 1000). */
  radius?: number;
  maxRadius?: number;
}

/**
 * Newton-CG, also called Hessian-free or truncated Newton (N&W Alg. 7.1): each step solves
 * H p = −g approximately by CG on Hessian-vector products (forward-over-reverse or
 * reverse-over-reverse autodiff; H is never formed), to the forcing tolerance min(0.5, √‖g‖)‖g‖,
 * leaving early along the step so far when CG meets negative curvature; then a line search. The
 * defaults (strong Wolfe from SciPy's α0, forcing test in ‖·‖₁) are the ones that measured fewest
 * gradient evaluations on the SciPy suite (docs/solvers.md).
 */
export function newtonCg(input: SolverInput, x0: ArrayLike<number>, options: NewtonCgOptions = {}): OptimizeResult {
  if (typeof input === "function") return onObjective(input, x0, (objective) => newtonCg(objective, x0, options));
  const objective = input;
  if (options.globalization === "trust-region") return trustRegionNewtonCg(objective, x0, options);
  const {
    maxInner = objective.dim,
    lineSearch = "strong-wolfe",
    initialStep = "interpolate",
    forcingNorm = 1,
  } = options;
  const measure = forcingNorm === 1 ? norm1 : norm;
  const run = new SolverRun(objective, options);
  let { x, f, g } = run.start(x0);
  let negativeCurvature = 0;
  let fPrev = NaN;
  for (;;) {
    const note = negativeCurvature ? `negative curvature met in ${negativeCurvature} inner solves` : undefined;
    const done = run.finishIf(x, f, g, note);
    if (done) return done;
    const here = x;
    const inner = truncatedCg(g, (v) => objective.hvp(here, v), forcingTolerance(g, measure), maxInner, measure);
    if (inner.exit === "negative-curvature") negativeCurvature++;
    const p = inner.step;
    const slope = dot(g, p);
    const line = new ObjectiveLine(objective, x, p);
    const alpha0 = initialStep === "interpolate" ? interpolatedStep(f, fPrev, slope) : 1;
    const search =
      lineSearch === "strong-wolfe"
        ? strongWolfe(line, f, slope, { c2: 0.9, alpha0 })
        : backtracking(line, f, slope, { alpha0 });
    fPrev = f;
    if (!(search.alpha > 0))
      return run.result(x, f, norm(g), {
        status: "lineSearchFailed",
        message: `line search failed: ${search.message}`,
      });
    [f, g] = line.valueAndGrad(search.alpha);
    x = line.point(search.alpha);
    run.record(x, f, norm(g), {
      alpha: search.alpha,
      inner: inner.iterations,
      negativeCurvature: inner.exit === "negative-curvature" ? 1 : 0,
    });
  }
}

/**
 * Trust-region Newton-CG (N&W Alg. 4.1 with CG-Steihaug, Alg. 7.2): a rejected step costs one f and
 * shrinks the radius; ∇f is evaluated only at accepted points. ρ = actual / predicted reduction.
 */
/** Rejected trial steps in a row before giving up (each shrinks the radius 4-fold or more: 4^-60 ≈ 1e-36). */
const MAX_REJECTIONS = 60;

function trustRegionNewtonCg(objective: Objective, x0: ArrayLike<number>, options: NewtonCgOptions): OptimizeResult {
  const { maxInner = objective.dim, maxRadius = 1000 } = options;
  let radius = options.radius ?? 1;
  const eta = 0.1;
  const run = new SolverRun(objective, options);
  let { x, f, g } = run.start(x0);
  for (;;) {
    const done = run.finishIf(x, f, g);
    if (done) return done;
    const here = x;
    let rejected = 0;
    for (;;) {
      const inner = steihaugCg(g, (v) => objective.hvp(here, v), radius, forcingTolerance(g), maxInner);
      const predicted = -(dot(g, inner.step) + 0.5 * dot(inner.step, inner.Hstep));
      const xNew = pointAt(x, 1, inner.step);
      const fNew = objective.value(xNew);
      // A trial where f is not finite (outside f's domain, overflow) counts as the worst possible agreement.
      const rho = Number.isFinite(fNew) ? (f - fNew) / predicted : -Infinity;
      const stepNorm = norm(inner.step);
      if (rho < 0.25) radius = 0.25 * stepNorm;
      else if (rho > 0.75 && inner.exit !== "converged" && inner.exit !== "max-iterations")
        radius = Math.min(2 * radius, maxRadius);
      if (rho > eta && Number.isFinite(fNew)) {
        [f, g] = objective.valueAndGrad(xNew);
        x = xNew;
        run.record(x, f, norm(g), {
          radius,
          inner: inner.iterations,
          rejected,
          negativeCurvature: inner.exit === "negative-curvature" ? 1 : 0,
        });
        break;
      }
      rejected++;
      if (rejected >= MAX_REJECTIONS) {
        return run.result(x, f, norm(g), {
          status: "noProgress",
          message:
            `trust region: ${rejected} trial steps in a row rejected (last f = ${fNew}), radius ` +
            `${radius.toExponential(2)}`,
        });
      }
      if (!(predicted > 0) || radius < 1e-14 * Math.max(1, norm(x))) {
        const cause = Number.isFinite(fNew) ? "the model predicts no decrease" : `f is ${fNew} at every trial point`;
        return run.result(x, f, norm(g), {
          status: "noProgress",
          message:
            `trust region collapsed (radius ${radius.toExponential(2)}) after ${rejected} rejected trials: ` +
            `${cause}`,
        });
      }
    }
  }
}
