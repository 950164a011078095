import type { Objective } from "../problems/objective.js";
import type { OptimizeResult } from "../solvers/result.js";

export interface MethodOptions {
  /** Exact number of steps (first-order methods run exactly this many). */
  steps?: number;
  /** Iteration cap for solvers. */
  maxIter?: number;
  /** Stop when ‖g‖₂ <= tol (solvers). */
  tol?: number;
  /** Keep θ after every step. */
  recordTrajectory?: boolean;
}

/** A method of `descent optimize`: runs on a host-level objective from x0 with a JSON config. */
export interface MethodEntry {
  description: string;
  run(objective: Objective, x0: Float64Array, config: Record<string, unknown>, opts: MethodOptions): OptimizeResult;
}
