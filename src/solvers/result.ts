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
  converged: boolean;
  message: string;
  /** Per-iteration records (f, ‖g‖, step length …), when the method keeps them. */
  history?: Record<string, number>[];
  /** θ after each step (first-order methods; `--trajectory`). */
  trajectory?: Float64Array[];
}
