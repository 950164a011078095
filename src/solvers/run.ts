import { norm } from "../linalg/vector.js";
import type { OptimizeResult, SolverStatus } from "./result.js";
import type { EvalCounts, Objective } from "../problems/objective.js";
import type { IterationRecord, SolverOptions } from "./options.js";

/** Why a solver stops, SciPy-style. */
export interface Stop {
  status: SolverStatus;
  message: string;
}

/**
 * The bookkeeping every solver shares: the stopping test (‖g‖₂ <= tol, an iteration cap, or exactly
 * `steps` iterations), history and trajectory, and counts taken as differences of the Objective's
 * counters, so every evaluation (line searches included) is charged to the run.
 */
export class SolverRun {
  readonly tol: number;
  readonly maxIter: number;
  readonly steps: number | undefined;
  readonly history: IterationRecord[] = [];
  readonly trajectory: Float64Array[] | undefined;
  iterations = 0;
  private readonly base: EvalCounts;

  constructor(
    readonly objective: Objective,
    private readonly options: SolverOptions,
  ) {
    if (typeof objective?.valueAndGrad !== "function")
      throw new Error(
        "solvers take a function f(x) → scalar jax-js Array or an Objective (problems.objectiveFromFunction(f, x0)), " +
          `got ${objective === null ? "null" : typeof objective}`,
      );
    this.tol = options.tol ?? 1e-5;
    this.maxIter = options.maxIter ?? 200 * objective.dim;
    this.steps = options.steps;
    if (this.steps !== undefined && !(Number.isInteger(this.steps) && this.steps >= 0))
      throw new Error(`steps must be a non-negative integer, got ${this.steps}`);
    if (!(this.tol >= 0)) throw new Error(`tol must be >= 0, got ${this.tol}`);
    if (!(Number.isInteger(this.maxIter) && this.maxIter >= 0))
      throw new Error(`maxIter must be a non-negative integer, got ${this.maxIter}`);
    this.trajectory = options.recordTrajectory ? [] : undefined;
    this.base = { ...objective.counts };
  }

  /** The starting point: a copy of x0, with f and ∇f there. */
  start(x0: ArrayLike<number>): { x: Float64Array; f: number; g: Float64Array } {
    const x = Float64Array.from(x0);
    const [f, g] = this.objective.valueAndGrad(x);
    return { x, f, g };
  }

  /**
   * Checked before each iteration: the result to return when the run stops at x (its message followed
   * by `note` in parentheses, when there is one), or undefined to go on.
   */
  finishIf(x: Float64Array, f: number, g: Float64Array, note?: string): OptimizeResult | undefined {
    const gradNorm = norm(g);
    const stop = this.stopBefore(f, gradNorm);
    if (!stop) return undefined;
    return this.result(x, f, gradNorm, note ? { ...stop, message: `${stop.message} (${note})` } : stop);
  }

  /** Checked before each iteration: a reason to stop, or undefined to go on. */
  stopBefore(f: number, gradNorm: number): Stop | undefined {
    if (!Number.isFinite(f) || !Number.isFinite(gradNorm))
      return { status: "nonFinite", message: `f or ∇f is not finite (f = ${f}, ‖g‖ = ${gradNorm})` };
    if (this.steps !== undefined)
      return this.iterations >= this.steps
        ? {
            status: gradNorm <= this.tol ? "converged" : "maxIter",
            message: `ran the requested ${this.steps} iterations`,
          }
        : undefined;
    if (gradNorm <= this.tol) return { status: "converged", message: `‖g‖₂ <= ${this.tol}` };
    if (this.iterations >= this.maxIter)
      return {
        status: "maxIter",
        message: `reached the iteration limit (${this.maxIter}) with ‖g‖₂ = ${gradNorm.toExponential(3)}`,
      };
    return undefined;
  }

  /** Records one completed iteration ending at x, with the evaluations spent so far (fevals, gevals, hevals, hvps). */
  record(x: Float64Array, f: number, gradNorm: number, extra: Record<string, number> = {}): void {
    this.iterations++;
    const record: IterationRecord = { iteration: this.iterations, f, gradNorm, ...extra, ...this.counts };
    this.history.push(record);
    this.trajectory?.push(Float64Array.from(x));
    this.options.onIteration?.(record, Float64Array.from(x));
  }

  get counts(): EvalCounts {
    const c = this.objective.counts;
    return {
      fevals: c.fevals - this.base.fevals,
      gevals: c.gevals - this.base.gevals,
      hevals: c.hevals - this.base.hevals,
      hvps: c.hvps - this.base.hvps,
    };
  }

  result(x: Float64Array, f: number, gradNorm: number, stop: Stop): OptimizeResult {
    const { fevals, gevals, hevals, hvps } = this.counts;
    return {
      x: Float64Array.from(x),
      f,
      gradNorm,
      iterations: this.iterations,
      fevals,
      gevals,
      hevals,
      hvps,
      status: stop.status,
      converged: stop.status === "converged",
      message: stop.message,
      history: this.history,
      trajectory: this.trajectory,
    };
  }
}

/**
 * Evaluations spent until ‖g‖₂ first reached `gradNorm` (from the run's history; the starting point
 * counts as iteration 0): how to compare fairly with a run that stopped at a looser accuracy.
 */
export function evaluationsToReach(
  result: OptimizeResult,
  gradNorm: number,
): { iterations: number; fevals: number; gevals: number; hvps: number } | undefined {
  // A run that met the target at its start took no iteration: its counts are those of the start.
  if (result.iterations === 0 && result.gradNorm <= gradNorm)
    return { iterations: 0, fevals: result.fevals, gevals: result.gevals, hvps: result.hvps ?? 0 };
  const first = result.history?.find((h) => h.gradNorm <= gradNorm);
  if (first) return { iterations: first.iteration, fevals: first.fevals, gevals: first.gevals, hvps: first.hvps };
  return undefined;
}
