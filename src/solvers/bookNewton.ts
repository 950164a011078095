import { norm, pointAt, type Vec } from "../linalg/vector.js";
import type { OptimizeResult } from "./result.js";
import { onObjective, type SolverInput } from "./input.js";
import { addDiagonal, luSolve } from "../linalg/matrix.js";
import type { SolverOptions } from "./options.js";
import { SolverRun } from "./run.js";

/**
 * Alg. 8.8 exactly as the book writes it, with eq. 8.28's damping: θ ← θ − (H + αI)⁻¹g, solved by LU
 * whatever the definiteness of H + αI (the reference trajectories do the same). It will step uphill
 * where H + αI is indefinite; `newton` is the safeguarded solver.
 */
export function bookNewton(
  input: SolverInput,
  x0: ArrayLike<number>,
  damping: number,
  options: SolverOptions = {},
): OptimizeResult {
  if (typeof input === "function")
    return onObjective(input, x0, (objective) => bookNewton(objective, x0, damping, options));
  const objective = input;
  if (!(damping >= 0)) throw new Error(`damping must be >= 0, got ${damping}`);
  const n = objective.dim;
  const run = new SolverRun(objective, options);
  let { x, f, g } = run.start(x0);
  for (;;) {
    const done = run.finishIf(x, f, g);
    if (done) return done;
    let step: Vec;
    try {
      step = luSolve(addDiagonal(objective.hessian(x), n, damping), g);
    } catch (error) {
      return run.result(x, f, norm(g), { status: "singularHessian", message: `H + αI is ${(error as Error).message}` });
    }
    x = pointAt(x, -1, step);
    [f, g] = objective.valueAndGrad(x);
    run.record(x, f, norm(g), { stepNorm: norm(step) });
  }
}
