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

import type { Objective } from "../problems/objective.js";
import type { IterationRecord } from "../solvers/options.js";

export interface MethodOptions {
  /** Exact number of steps (first-order methods run exactly this many). */
  steps?: number;
  /** Iteration cap for solvers. */
  maxIter?: number;
  /** Stop when ‖g‖₂ <= tol (solvers). */
  tol?: number;
  /** Keep θ after every step. */
  recordTrajectory?: boolean;
  /** Called after every iteration (step) with its record and the point reached. */
  onIteration?: (record: IterationRecord, x: Float64Array) => void;
}

/** A method of `descent optimize`: runs on a host-level objective from x0 with a JSON config. */
export interface MethodEntry {
  description: string;
  run(objective: Objective, x0: Float64Array, config: Record<string, unknown>, opts: MethodOptions): OptimizeResult;
}
