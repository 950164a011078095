import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchmarkCase } from "./cases.js";
import type { Outcome } from "./profiles.js";

/** One SciPy run as bench/scipy_mgh.py writes it. */
export interface ScipyRun {
  case: string;
  method: string;
  nit: number;
  nfev: number;
  njev: number;
  nhev: number;
  f: number | null;
  gradNorm: number | null;
  f0: number | null;
  success: boolean;
  message: string;
  trace: [number, number | null][];
}

export interface ScipyResults {
  /** "live": computed now by bench/scipy_mgh.py; "file": read from the committed results. */
  source: "live" | "file";
  scipy: string;
  runs: ScipyRun[];
  /** Cases the committed file does not cover (ids). */
  missing: string[];
}

/** The package root (this file runs from src/benchmark/ under tsx and from dist/src/benchmark/ when built). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
const root = (path: string) => join(packageRoot(), path);
export const SCIPY_SCRIPT = root("bench/scipy_mgh.py");
export const SCIPY_RESULTS = root("bench/results/scipy-solvers.json");
const PYTHON = process.env.DESCENT_PYTHON ?? "/usr/bin/python3";

/** Whether SciPy can run here: the script is present and the Python has scipy. */
export function scipyAvailable(): boolean {
  if (!existsSync(SCIPY_SCRIPT)) return false;
  const probe = spawnSync(PYTHON, ["-c", "import scipy"], { encoding: "utf8" });
  return probe.status === 0;
}

const caseInput = (cases: BenchmarkCase[], gtol: number) =>
  JSON.stringify({ gtol, cases: cases.map((c) => ({ id: c.id, suite: c.suite, problem: c.problem, x0: c.x0 })) });

/** Runs SciPy's four methods on the cases now (bench/scipy_mgh.py through Debian's python3-scipy), gtol as our tol. */
export function runScipyLive(cases: BenchmarkCase[], gtol = 1e-8): ScipyResults {
  const run = spawnSync(PYTHON, [SCIPY_SCRIPT], {
    input: caseInput(cases, gtol),
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  if (run.status !== 0)
    throw new Error(`${SCIPY_SCRIPT} failed (exit ${run.status}): ${run.stderr.trim().split("\n").pop()}`);
  const out = JSON.parse(run.stdout) as { scipy: string; runs: ScipyRun[] };
  return { source: "live", scipy: out.scipy, runs: out.runs, missing: [] };
}

/** The committed results of the same script, for the cases it covers with the same start. */
export function readScipyResults(cases: BenchmarkCase[], path = SCIPY_RESULTS): ScipyResults {
  if (!existsSync(path)) return { source: "file", scipy: "unavailable", runs: [], missing: cases.map((c) => c.id) };
  const file = JSON.parse(readFileSync(path, "utf8")) as {
    scipy: string;
    runs: ScipyRun[];
    cases: { id: string; x0: number[] }[];
  };
  const starts = new Map(file.cases.map((c) => [c.id, c.x0]));
  const same = (c: BenchmarkCase) => starts.get(c.id)?.every((v, i) => v === c.x0[i]) ?? false;
  const covered = new Set(cases.filter(same).map((c) => c.id));
  return {
    source: "file",
    scipy: file.scipy,
    runs: file.runs.filter((r) => covered.has(r.case)),
    missing: cases.filter((c) => !covered.has(c.id)).map((c) => c.id),
  };
}

/** SciPy live when it is installed, else the committed file (computed with gtol = 1e-8). */
export function scipyResults(cases: BenchmarkCase[], gtol = 1e-8): ScipyResults {
  return scipyAvailable() ? runScipyLive(cases, gtol) : readScipyResults(cases);
}

/** The committed file's content: the runs plus the starts they used. */
export const scipyResultsFile = (cases: BenchmarkCase[], results: ScipyResults) =>
  JSON.stringify({
    scipy: results.scipy,
    script: "bench/scipy_mgh.py",
    cases: cases.map((c) => ({ id: c.id, x0: c.x0 })),
    runs: results.runs,
  }) + "\n";

export const scipyOutcome = (run: ScipyRun): Outcome => ({
  case: run.case,
  solver: `scipy.${run.method}`,
  f0: run.f0 ?? NaN,
  f: run.f ?? NaN,
  gradNorm: run.gradNorm ?? NaN,
  gevals: run.njev,
  trace: run.trace,
});
