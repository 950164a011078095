/**
 * Second-order solvers against SciPy on the problems of scipy-suite.json: evaluation counts and wall
 * time, as ratios. SciPy runs live (bench/scipy_solvers.py through /usr/bin/python3) when it is
 * installed, otherwise the counts and times recorded in the suite file are used (and marked so).
 *
 *   node --import tsx bench/solvers.ts [--repeats N] [--json]
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { numpy as np } from "@jax-js/jax";
import { precisionOf, startEngine, type DTypeName, type Precision } from "../src/engine/index.js";
import type { OptimizeResult } from "../src/solvers/result.js";
import { loadProblem, Objective } from "../src/problems/index.js";
import { evaluationsToReach } from "../src/solvers/run.js";
import { solverMethods } from "../src/methods/solvers.js";

const SUITE = fileURLToPath(new URL("../test/fixtures/scipy-suite.json", import.meta.url));
const SCIPY_SCRIPT = fileURLToPath(new URL("./scipy_solvers.py", import.meta.url));

/** Our method and the SciPy method whose counts it is measured against. */
export const SOLVER_PAIRS = [
  ["bfgs", "BFGS"],
  ["lbfgs", "L-BFGS-B"],
  ["cg-prplus", "CG"],
  ["newton-cg", "Newton-CG"],
  ["newton", undefined],
] as const;

export interface ScipyRun {
  nit: number;
  nfev: number;
  njev: number;
  nhev: number;
  gradNorm: number;
  success: boolean;
  ms: number;
  /** "live": measured now; "recorded": copied from the suite file (SciPy 1.10, another machine). */
  source: "live" | "recorded";
}

export interface SolverBenchRow {
  problem: string;
  method: string;
  /** float64 = exact float64 on Wasm (the default); float64-cpu = the exact jax-js cpu device (cross-check). */
  dtype: DTypeName | "float64-cpu";
  iterations: number;
  fevals: number;
  gevals: number;
  hevals: number;
  hvps: number;
  gradNorm: number;
  converged: boolean;
  /** Median wall time of the repeats, after one warm-up run (compilation excluded). */
  ms: number;
  scipyMethod?: string;
  scipy?: ScipyRun;
  /** Our gradient evaluations when ‖g‖ first fell to SciPy's final ‖g‖ (fair when SciPy stopped early). */
  gevalsAtScipyAccuracy?: number;
  gevalsRatio?: number;
  timeRatio?: number;
}

export interface SolverBenchResult {
  scipyVersion: string;
  rows: SolverBenchRow[];
}

type SuiteProblem = {
  name: string;
  problem: { kind: string };
  scipy: Record<string, Omit<ScipyRun, "source" | "ms"> & { wallMs: number }>;
};

/** SciPy's runs: live through python3 when possible, else the suite's records. */
export function scipyRuns(repeats = 3): { version: string; runs: Record<string, Record<string, ScipyRun>> } {
  const suite = JSON.parse(readFileSync(SUITE, "utf8")) as { note: string; problems: SuiteProblem[] };
  const python = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  const live = spawnSync(python, [SCIPY_SCRIPT, SUITE, String(repeats)], { encoding: "utf8", timeout: 600_000 });
  if (live.status === 0) {
    const parsed = JSON.parse(live.stdout) as {
      scipy: string;
      problems: Record<string, Record<string, Omit<ScipyRun, "source">>>;
    };
    const runs = Object.fromEntries(
      Object.entries(parsed.problems).map(([p, ms]) => [
        p,
        Object.fromEntries(Object.entries(ms).map(([m, r]) => [m, { ...r, source: "live" as const }])),
      ]),
    );
    return { version: parsed.scipy, runs };
  }
  const why = live.error?.message ?? live.stderr.trim().split("\n").pop() ?? `exit code ${live.status}`;
  process.stderr.write(
    `bench/solvers: SciPy not available (${why}); using the counts and times recorded in ${SUITE}\n`,
  );
  const runs = Object.fromEntries(
    suite.problems.map((p) => [
      p.name,
      Object.fromEntries(
        Object.entries(p.scipy).map(([m, r]) => [m, { ...r, ms: r.wallMs, source: "recorded" as const }]),
      ),
    ]),
  );
  return { version: `${suite.note} (recorded)`, runs };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const WARM_UP_MS = 500;
const WARM_UP_RUNS = 100;

/** Runs one solver on one suite problem: the counts of one run, the median time of `repeats` after a warm-up. */
function timeSolver(
  problemName: string,
  method: string,
  dtype: SolverBenchRow["dtype"],
  repeats: number,
): { result: OptimizeResult; ms: number } {
  const precision: Precision = dtype === "float64-cpu" ? { dtype: np.float64, device: "cpu" } : precisionOf(dtype);
  const { problem } = loadProblem(`${SUITE}#${problemName}`, { precision });
  const objective = new Objective(problem, precision);
  const run = () => {
    objective.forget();
    return solverMethods[method].run(objective, Float64Array.from(problem.x0), {}, {});
  };
  // V8 tiers the solver's code up over its first runs: L-BFGS on the logistic problem took 4–10 ms a run
  // over its first 40 runs and about 3 ms after 60. Warm up for 500 ms or 100 runs (steady state, as the step
  // workloads get 20 untimed calls; SciPy's interpreter has no JIT to warm).
  const result = run();
  const warmUntil = performance.now() + WARM_UP_MS;
  for (let i = 1; i < WARM_UP_RUNS && performance.now() < warmUntil; i++) run();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
    if (times[0] > 5000) break;
  }
  objective.dispose();
  problem.dispose();
  return { result, ms: median(times) };
}

/** Every pair of SOLVER_PAIRS on every suite problem, in exact float64 on Wasm and on the cpu device. */
export async function solverBench(opts: { repeats?: number; problems?: string[] } = {}): Promise<SolverBenchResult> {
  await startEngine();
  const repeats = opts.repeats ?? 3;
  const scipy = scipyRuns(repeats);
  const suite = JSON.parse(readFileSync(SUITE, "utf8")) as { problems: SuiteProblem[] };
  const rows: SolverBenchRow[] = [];
  for (const p of suite.problems.filter((q) => !opts.problems || opts.problems.includes(q.name))) {
    const dtypes: SolverBenchRow["dtype"][] = ["float64", "float64-cpu"];
    for (const [method, scipyMethod] of SOLVER_PAIRS) {
      for (const dtype of dtypes) {
        const { result, ms } = timeSolver(p.name, method, dtype, repeats);
        const theirs = scipyMethod ? scipy.runs[p.name]?.[scipyMethod] : undefined;
        rows.push({
          problem: p.name,
          method,
          dtype,
          iterations: result.iterations,
          fevals: result.fevals,
          gevals: result.gevals,
          hevals: result.hevals,
          hvps: result.hvps ?? 0,
          gradNorm: result.gradNorm,
          converged: result.converged,
          ms,
          scipyMethod,
          scipy: theirs,
          gevalsAtScipyAccuracy: theirs ? evaluationsToReach(result, theirs.gradNorm)?.gevals : undefined,
          gevalsRatio: theirs ? result.gevals / theirs.njev : undefined,
          timeRatio: theirs ? ms / theirs.ms : undefined,
        });
      }
    }
  }
  return { scipyVersion: scipy.version, rows };
}

/** A Markdown table of the rows. */
export function solverBenchTable(result: SolverBenchResult): string {
  const fmt = (x: number | undefined, digits = 2) =>
    x === undefined ? "–" : x >= 100 ? x.toFixed(0) : x.toPrecision(digits + 1);
  const lines = [
    `SciPy ${result.scipyVersion}. Times: median ms after a warm-up run; ratio = ours / SciPy.`,
    "",
    "| problem | method | dtype | it | f | ∇f | ∇²f / Hv | ‖g‖ | SciPy it / f / ∇f / ∇²f | SciPy ‖g‖ | our ∇f at " +
      "SciPy's ‖g‖ | ∇f ratio | ms | SciPy ms | time ratio |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of result.rows) {
    const s = r.scipy;
    lines.push(
      `| ${r.problem} | ${r.method} | ${r.dtype} | ${r.iterations} | ${r.fevals} | ${r.gevals} | ${r.hevals} / ` +
        `${r.hvps} | ${r.gradNorm.toExponential(1)} | ` +
        `${s ? `${r.scipyMethod}: ${s.nit} / ${s.nfev} / ${s.njev} / ${s.nhev}` : "–"} | ` +
        `${s ? s.gradNorm.toExponential(1) : "–"} | ${r.gevalsAtScipyAccuracy ?? "–"} | ${fmt(r.gevalsRatio)} | ` +
        `${fmt(r.ms)} | ${fmt(s?.ms)} | ${fmt(r.timeRatio)} |`,
    );
  }
  return lines.join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const repeatsAt = args.indexOf("--repeats");
  const result = await solverBench({ repeats: repeatsAt >= 0 ? Number(args[repeatsAt + 1]) : 3 });
  process.stdout.write(args.includes("--json") ? JSON.stringify(result) + "\n" : solverBenchTable(result) + "\n");
}
