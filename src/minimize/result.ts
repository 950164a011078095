import type { SolverStatus } from "../solvers/result.js";
import type { IterationRecord } from "../solvers/options.js";

/** Why `minimize` stopped: the method's own status. */
export type MinimizeStatus = SolverStatus;

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
  /**
   * One record per iteration: f and ‖∇f‖₂ after it (first-order methods: where the gradient was taken), counts so far.
   */
  history: IterationRecord[];
  /** The method that ran. */
  method: string;
}
