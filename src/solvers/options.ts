/** Stopping and recording options every solver takes (SciPy's vocabulary). */
export interface SolverOptions {
  /** Stop when ‖∇f‖₂ <= tol (default 1e-5). */
  tol?: number;
  /** Iteration cap (default 200·n, as SciPy's BFGS and CG). */
  maxIter?: number;
  /** Run exactly this many iterations, ignoring tol (reference trajectories). */
  steps?: number;
  /** Keep x after every iteration in `result.trajectory`. */
  recordTrajectory?: boolean;
  /** Called after every iteration with its history record and the point reached (a copy). */
  onIteration?: (record: IterationRecord, x: Float64Array) => void;
}

/**
 * One line of a solver's history: iteration number, f and ‖g‖
 * after it, evaluations so far, and method-specific numbers.
 */
export type IterationRecord = {
  iteration: number;
  f: number;
  gradNorm: number;
  fevals: number;
  gevals: number;
  hevals: number;
  hvps: number;
} & Record<string, number>;
