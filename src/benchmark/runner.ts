import { methodByName } from "../methods/index.js";
import { Objective } from "../problems/objective.js";
import type { BenchmarkCase } from "./cases.js";

/** One solver on one case: SciPy's counts plus the trace of f against gradient evaluations. */
export interface RunRecord {
  case: string;
  method: string;
  iterations: number;
  fevals: number;
  gevals: number;
  hevals: number;
  hvps: number;
  f: number;
  gradNorm: number;
  f0: number;
  converged: boolean;
  message: string;
  /** [gradient evaluations so far, f] after each iteration, starting with [1, f(x0)]. */
  trace: [number, number][];
}

export interface BenchmarkSettings {
  /** Stop when ‖g‖₂ <= tol (default 1e-8: tight enough for τ = 1e-7 on every problem; SciPy gets gtol = 1e-8 too). */
  tol?: number;
  /** Iteration cap (default 200·n, SciPy's BFGS and CG default). */
  maxIter?: number;
}

/** Runs one method on one case, in the case's precision. A solver that throws is recorded as failed, not fatal. */
export function runCase(benchmarkCase: BenchmarkCase, method: string, settings: BenchmarkSettings = {}): RunRecord {
  const entry = methodByName(method);
  const problem = benchmarkCase.build();
  const objective = new Objective(problem, benchmarkCase.precision);
  const x0 = Float64Array.from(benchmarkCase.x0);
  try {
    const f0 = objective.value(x0);
    objective.forget();
    const tol = settings.tol ?? 1e-8;
    const result = entry.run(objective, x0, {}, { tol, maxIter: settings.maxIter ?? 200 * problem.dim });
    const trace: [number, number][] = [
      [1, f0],
      ...(result.history ?? []).map((h) => [h.gevals, h.f] as [number, number]),
    ];
    return {
      case: benchmarkCase.id,
      method,
      iterations: result.iterations,
      fevals: result.fevals,
      gevals: result.gevals,
      hevals: result.hevals,
      hvps: result.hvps ?? 0,
      f: result.f,
      gradNorm: result.gradNorm,
      f0,
      converged: result.converged,
      message: result.message,
      trace,
    };
  } catch (error) {
    const f0 = objective.value(x0);
    return {
      case: benchmarkCase.id,
      method,
      iterations: 0,
      fevals: 0,
      gevals: 0,
      hevals: 0,
      hvps: 0,
      f: NaN,
      gradNorm: NaN,
      f0,
      converged: false,
      message: `threw: ${(error as Error).message}`,
      trace: [[1, f0]],
    };
  } finally {
    objective.dispose();
    problem.dispose();
  }
}
