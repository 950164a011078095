import { neg, norm, pointAt, type Vec } from "../linalg/vector.js";
import type { OptimizeResult } from "./result.js";
import { onObjective, type SolverInput } from "./input.js";
import { addDiagonal, cholesky, choleskySolve, symmetricEigen, type Matrix } from "../linalg/matrix.js";
import type { SolverOptions } from "./options.js";
import { SolverRun } from "./run.js";

export interface NewtonOptions extends SolverOptions {
  /** α of eq. 8.28, θ ← θ − (H + αI)⁻¹g; with `adaptive`, the starting value. Default 0. */
  damping?: number;
  /**
   * Levenberg-Marquardt: raise α (×10) when H + αI is not positive definite or the step does not lower
   * f, and lower it (÷10) after a successful step. Default true. Without it a non-definite H + αI stops
   * the run with a report of the negative curvature instead of stepping uphill.
   */
  adaptive?: boolean;
  /**
   * Adaptive only: accept a step that lowers f below the largest of the last M values (Grippo,
   * Lampariello & Lucidi's nonmonotone rule, 1986), so Newton can cross a curved valley in a few full
   * steps instead of creeping along it with heavy damping. Default 5; 1 is the monotone rule.
   */
  nonmonotone?: number;
  /** Saddle-free Newton: use |H| = V|Λ|Vᵀ (eigen-decomposition), so negative curvature repels. */
  saddleFree?: boolean;
}

/** The smallest eigenvalue of H, for messages. */
const smallestEigenvalue = (H: Matrix, n: number) => Math.min(...symmetricEigen(H, n).values);

/** −(|H| + αI)⁻¹g with |H| = V|Λ|Vᵀ: Newton's step with every curvature made positive (Dauphin et al., 2014). */
function saddleFreeStep(H: Matrix, n: number, g: Vec, alpha: number): Vec {
  const { values, vectors } = symmetricEigen(H, n);
  const floor = 1e-12 * Math.max(...values.map(Math.abs), 1e-300);
  const coeff = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let vg = 0;
    for (let i = 0; i < n; i++) vg += vectors[i * n + k] * g[i];
    coeff[k] = vg / (Math.max(Math.abs(values[k]), floor) + alpha);
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) out[i] -= vectors[i * n + k] * coeff[k];
  return out;
}

/**
 * Newton's method (Alg. 8.8) with the full Hessian and damping (eq. 8.28), adaptive
 * (Levenberg-Marquardt with a nonmonotone acceptance test) by default. It never steps along a
 * direction of negative curvature:
 * with fixed damping it stops and reports the smallest eigenvalue; adaptively it raises α until
 * H + αI is positive definite; saddle-free it uses |H|.
 */
export function newton(input: SolverInput, x0: ArrayLike<number>, options: NewtonOptions = {}): OptimizeResult {
  if (typeof input === "function") return onObjective(input, x0, (objective) => newton(objective, x0, options));
  const objective = input;
  const { adaptive = true, saddleFree = false, nonmonotone = 5 } = options;
  if (!(Number.isInteger(nonmonotone) && nonmonotone >= 1))
    throw new Error(`nonmonotone must be a positive integer, got ${nonmonotone}`);
  let damping = options.damping ?? 0;
  if (!(damping >= 0)) throw new Error(`damping must be >= 0, got ${damping}`);
  const n = objective.dim;
  const run = new SolverRun(objective, options);
  let { x, f, g } = run.start(x0);
  let negativeCurvature = 0;
  const recent: number[] = [];
  for (;;) {
    const note = negativeCurvature ? `H was not positive definite at ${negativeCurvature} iterations` : undefined;
    const done = run.finishIf(x, f, g, note);
    if (done) return done;
    recent.push(f);
    if (recent.length > nonmonotone) recent.shift();
    const H = objective.hessian(x);
    const scale = Math.max(...Array.from({ length: n }, (_, i) => Math.abs(H[i * n + i])), 1e-8);
    // The smallest α that makes a difference, when α must grow from 0.
    const raise = (a: number) => Math.max(10 * a, 1e-3 * scale);
    let step: Vec | undefined;
    let fNew = NaN;
    let definite = true;
    for (let attempt = 0; attempt < 60; attempt++) {
      if (saddleFree) step = saddleFreeStep(H, n, g, damping);
      else {
        const L = cholesky(addDiagonal(H, n, damping), n);
        if (!L) {
          definite = false;
          if (!adaptive) {
            return run.result(x, f, norm(g), {
              status: "negativeCurvature",
              message:
                `negative curvature: H + αI (α = ${damping}) is not positive definite at iteration ` +
                `${run.iterations + 1} (smallest eigenvalue of H ${smallestEigenvalue(H, n).toPrecision(4)}); use ` +
                `adaptive damping or saddle-free Newton`,
            });
          }
          // H is indefinite: α past −λ_min plus ‖g‖ keeps ‖step‖ <= 1 along negative curvature (a bare
          // ×10 schedule could stop just past −λ_min, where H + αI is nearly singular and the step huge).
          damping = Math.max(raise(damping), -smallestEigenvalue(H, n) + Math.max(1e-3 * scale, norm(g)));
          continue;
        }
        step = neg(choleskySolve(L, g));
      }
      if (!adaptive) break;
      fNew = objective.value(pointAt(x, 1, step));
      if (fNew < Math.max(...recent)) break;
      damping = raise(damping);
      step = undefined;
    }
    if (!step)
      return run.result(x, f, norm(g), {
        status: "noProgress",
        message: `no damping up to α = ${damping.toExponential(2)} gave a decrease of f`,
      });
    if (!definite) negativeCurvature++;
    x = pointAt(x, 1, step);
    [f, g] = objective.valueAndGrad(x);
    run.record(x, f, norm(g), { damping, stepNorm: norm(step) });
    if (adaptive) damping = damping / 10 < 1e-12 * scale ? 0 : damping / 10;
  }
}
