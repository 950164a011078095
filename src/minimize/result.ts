import type { OptimizeResult } from "../solvers/result.js";
import type { IterationRecord } from "../solvers/options.js";

/** Why `minimize` stopped. */
export type MinimizeStatus =
  /** ‖∇f‖₂ <= tol. */
  | "converged"
  /** The iteration cap (solvers) or the requested number of steps (first-order methods) was reached first. */
  | "maxIter"
  /** The line search (or the exact step) found no acceptable step. */
  | "lineSearchFailed"
  /** f, ∇f or x stopped being finite (diverged: lower the learning rate). */
  | "nonFinite"
  /** The Hessian (plus damping) was not positive definite and the method has no fallback. */
  | "negativeCurvature"
  /** The method could not decrease f any more (trust region collapsed, no damping helped). */
  | "noProgress";

/** The one result of `minimize`, in SciPy's vocabulary (`OptimizeResult`). */
export interface MinimizeResult {
  /** The point found. */
  x: Float64Array;
  /** f(x). */
  fun: number;
  /** ∇f(x). */
  grad: Float64Array;
  status: MinimizeStatus;
  /** status === "converged". */
  success: boolean;
  message: string;
  /** Iterations (solvers) or steps (first-order methods). */
  nit: number;
  /** Evaluations of f, of ∇f, and of the Hessian or Hessian-vector products (SciPy's nfev, njev, nhev). */
  nfev: number;
  njev: number;
  nhev: number;
  /** One record per iteration: f and ‖∇f‖₂ after it (first-order methods: where the gradient was taken), counts so far. */
  history: IterationRecord[];
  /** The method that ran. */
  method: string;
}

const STATUS_BY_MESSAGE: [RegExp, MinimizeStatus][] = [
  [/not finite|diverged/, "nonFinite"],
  [/^(line search failed|exact step failed)/, "lineSearchFailed"],
  [/^(reached the iteration limit|ran the requested|ran \d+ steps)/, "maxIter"],
  [/negative curvature|H \+ αI/, "negativeCurvature"],
  [/^(trust region collapsed|no damping)/, "noProgress"],
];

/** The status of a run, from its numbers first and then from the solver's stop message. */
export function statusOf(result: OptimizeResult): MinimizeStatus {
  if (result.converged) return "converged";
  if (!Number.isFinite(result.f) || !Number.isFinite(result.gradNorm) || !result.x.every(Number.isFinite))
    return "nonFinite";
  for (const [pattern, status] of STATUS_BY_MESSAGE) if (pattern.test(result.message)) return status;
  return "noProgress";
}
