import { mghCases, scipyCases, type BenchmarkCase } from "./cases.js";
import type { Outcome } from "./profiles.js";
import { runCase, type BenchmarkSettings, type RunRecord } from "./runner.js";
import { scipyOutcome, scipyResults, type ScipyResults } from "./scipy.js";

export type SuiteName = "mgh" | "scipy" | "all";

/**
 * The solvers run by default: every full-batch solver of `descent
 * optimize` but the book's unguarded forms and coordinate descent.
 */
export const DEFAULT_METHODS = ["bfgs", "lbfgs", "cg-fr", "cg-pr", "cg-prplus", "cg-hz", "newton", "newton-cg"];

/**
 * The --quick subset: small MGH problems of different kinds, from the standard start, and one start per SciPy problem.
 */
export const QUICK_MGH = ["rosenbrock", "beale", "helical-valley", "box-3d", "wood", "brown-almost-linear"];

export interface SuiteOptions extends BenchmarkSettings {
  suite: SuiteName;
  methods?: string[];
  /** Start scalings of the MGH set (default 1, 10, 100). */
  scales?: number[];
  quick?: boolean;
  /** Seed of the SciPy set's random starts. */
  seed?: number;
  /** Compare with SciPy (live or the committed results; default true). */
  scipy?: boolean;
  onProgress?: (done: number, total: number, label: string) => void;
}

export interface SuiteResult {
  cases: BenchmarkCase[];
  runs: RunRecord[];
  scipy?: ScipyResults;
  /** Every run, ours and SciPy's, in the profiles' shape. */
  outcomes: Outcome[];
}

export function benchmarkCases(options: Pick<SuiteOptions, "suite" | "scales" | "quick" | "seed">): BenchmarkCase[] {
  const cases: BenchmarkCase[] = [];
  if (options.suite !== "scipy") {
    const mgh = mghCases(options.quick ? [1] : (options.scales ?? [1, 10, 100]));
    cases.push(...(options.quick ? mgh.filter((c) => QUICK_MGH.includes(c.id)) : mgh));
  }
  if (options.suite !== "mgh") cases.push(...scipyCases(options.seed ?? 0, options.quick ? 1 : 10));
  return cases;
}

export const ourOutcome = (run: RunRecord): Outcome => ({
  case: run.case,
  solver: run.method,
  f0: run.f0,
  f: run.f,
  gradNorm: run.gradNorm,
  gevals: run.gevals,
  trace: run.trace,
});

/** Runs every method on every case, then SciPy's methods on the same cases and starts. */
export function runSuite(options: SuiteOptions): SuiteResult {
  const cases = benchmarkCases(options);
  const methods = options.methods ?? DEFAULT_METHODS;
  const runs: RunRecord[] = [];
  const total = cases.length * methods.length;
  for (const c of cases) {
    for (const method of methods) {
      runs.push(runCase(c, method, options));
      options.onProgress?.(runs.length, total, `${method} on ${c.id}`);
    }
  }
  const scipy = options.scipy === false ? undefined : scipyResults(cases, options.tol);
  return { cases, runs, scipy, outcomes: [...runs.map(ourOutcome), ...(scipy?.runs.map(scipyOutcome) ?? [])] };
}
