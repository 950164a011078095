/** Why a method stopped (SciPy's `status`, by name). */
export type SolverStatus =
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
  /** H + αI is singular, so Newton's step does not exist (book.newton). */
  | "singularHessian"
  /** The method could not decrease f any more (trust region collapsed, no damping helped). */
  | "noProgress";

/** One result shape for every method (SciPy's OptimizeResult): counts are the currency of comparison. */
export interface OptimizeResult {
  x: Float64Array;
  f: number;
  gradNorm: number;
  iterations: number;
  fevals: number;
  gevals: number;
  hevals: number;
  /** Hessian-vector products (SciPy's nhev when it is given hessp; Newton-CG, exact CG steps). */
  hvps?: number;
  status: SolverStatus;
  /** status === "converged". */
  converged: boolean;
  message: string;
  /** Per-iteration records (f, ‖g‖, step length …), when the method keeps them. */
  history?: Record<string, number>[];
  /** θ after each step (first-order methods; `--trajectory`). */
  trajectory?: Float64Array[];
}
