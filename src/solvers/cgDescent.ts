import { hagerZhang, type HagerZhangOptions } from "../linesearch/hagerZhang.js";
import { ObjectiveLine } from "../linesearch/lineFunction.js";
import { axpy, dot, maxAbs, neg, norm, sub, type Vec } from "../linalg/vector.js";
import type { OptimizeResult } from "./result.js";
import { onObjective, type SolverInput } from "./input.js";
import type { SolverOptions } from "./options.js";
import { SolverRun } from "./run.js";

export interface CgDescentOptions extends SolverOptions {
  /** η of the lower bound η_k = −1/(‖d_k‖ min(η, ‖g_k‖)) on β (default 0.01). */
  eta?: number;
  /** Restart with d = −g every k iterations (default 6n, CG_DESCENT's). */
  restartEvery?: number;
  /** Settings of the Hager–Zhang line search. */
  lineSearch?: HagerZhangOptions;
}

/**
 * CG_DESCENT's first trial step at x0 (Hager & Zhang 2006, I0): ψ0‖x0‖∞/‖g0‖∞, or ψ0|f0|/‖g0‖² at x0 = 0 (ψ0 = 0.01).
 */
function firstTrial(x: Vec, f: number, g: Vec): number {
  if (maxAbs(x) > 0) return (0.01 * maxAbs(x)) / maxAbs(g);
  if (f !== 0) return (0.01 * Math.abs(f)) / dot(g, g);
  return 1;
}

/**
 * Hager & Zhang's conjugate gradient method, CG_DESCENT (SIAM J. Optim. 16(1):170–192, 2005; ACM TOMS 32(1),
 * 2006): d_{k+1} = −g_{k+1} + β̄_k d_k with β^N_k = (y_k − 2d_k‖y_k‖²/d_kᵀy_k)ᵀg_{k+1} / d_kᵀy_k and
 * β̄_k = max(β^N_k, η_k), which gives d_kᵀg_k <= −(7/8)‖g_k‖² whatever the line search; steps from the
 * Hager–Zhang (approximate Wolfe) line search. The trial step follows the paper: I0 at the start, then
 * the minimizer of the quadratic through φ(0), φ'(0) and φ(0.1α_{k−1}) when it is convex (QuadStep), else 2α_{k−1}.
 */
export function cgDescent(input: SolverInput, x0: ArrayLike<number>, options: CgDescentOptions = {}): OptimizeResult {
  if (typeof input === "function") return onObjective(input, x0, (objective) => cgDescent(objective, x0, options));
  const objective = input;
  const { eta = 0.01, restartEvery = 6 * objective.dim } = options;
  const run = new SolverRun(objective, options);
  let { x, f, g } = run.start(x0);
  let d = neg(g);
  let alphaPrev = NaN;
  let sinceRestart = 0;
  for (;;) {
    const done = run.finishIf(x, f, g);
    if (done) return done;
    const slope = dot(g, d);
    const line = new ObjectiveLine(objective, x, d);
    let alpha0 = Number.isFinite(alphaPrev) ? 2 * alphaPrev : firstTrial(x, f, g);
    if (Number.isFinite(alphaPrev)) {
      // QuadStep: one f at R = 0.1·α_{k−1}; use the interpolating
      // quadratic's minimizer when it is convex and f(R) <= f.
      const r = 0.1 * alphaPrev;
      const fr = line.value(r);
      const curvature = (fr - f - slope * r) / (r * r);
      if (fr <= f && curvature > 0) alpha0 = -slope / (2 * curvature);
    }
    const search = hagerZhang(line, f, slope, { ...options.lineSearch, alpha0 });
    if (!(search.alpha > 0))
      return run.result(x, f, norm(g), {
        status: "lineSearchFailed",
        message: `line search failed: ${search.message}`,
      });
    const [fNew, gNew] = line.valueAndGrad(search.alpha);
    const y = sub(gNew, g);
    const dy = dot(d, y);
    const betaN = (dot(y, gNew) - (2 * dot(y, y) * dot(d, gNew)) / dy) / dy;
    const betaLow = -1 / (norm(d) * Math.min(eta, norm(g)));
    sinceRestart++;
    const restart = sinceRestart >= restartEvery || !Number.isFinite(betaN);
    const beta = restart ? 0 : Math.max(betaN, betaLow);
    if (restart) sinceRestart = 0;
    x = line.point(search.alpha);
    d = axpy(neg(gNew), beta, d);
    [f, g, alphaPrev] = [fNew, gNew, search.alpha];
    run.record(x, f, norm(g), { alpha: search.alpha, beta });
  }
}
