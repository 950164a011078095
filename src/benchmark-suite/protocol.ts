/**
 * The DeepOBS protocol as two sweeps over one journal: tune each first-order method's constant learning rate on
 * a log grid (seed 0), then rerun each method's best rate on the other seeds. L-BFGS has no rate: it runs on
 * every seed in the first sweep, on the problems where it applies. Because both sweeps share the journal and a
 * trial's id is a hash of its settings, a stopped benchmark resumes without rerunning a finished trial.
 */
import { finalLoss } from "../sweep/command.js";
import { sweepConfigSchema, type Scalar, type SweepConfig } from "../sweep/config.js";
import { runSweep, type Backend } from "../sweep/controller.js";
import { finalRows, type JournalRow } from "../sweep/journal.js";
import { isProblemName, PROBLEM_NAMES, suiteProblem, type ProblemName } from "./problems.js";
import { FULL_BATCH_METHOD } from "./trial.js";

export const SUITES = ["small"] as const;
export const FIRST_ORDER_METHODS = [
  "book.sgd",
  "book.momentum",
  "book.nesterov",
  "book.adagrad",
  "book.rmsprop",
  "book.adam",
] as const;
export const SUITE_METHODS: readonly string[] = [...FIRST_ORDER_METHODS, FULL_BATCH_METHOD];

/** The small suite's learning-rate grid: decades from 1e-3 to 10 (DeepOBS uses 36 points from 1e-5 to 1e2). */
export const SMALL_LRS = [1e-3, 1e-2, 1e-1, 1, 10];
/** --quick: two rates, a tenth of the budget, two seeds (a smoke test of the whole pipeline). */
export const QUICK = { lrs: [1e-2, 1e-1], budget: 0.1, seeds: 2 };

export interface BenchmarkConfig {
  suite: (typeof SUITES)[number];
  problems: ProblemName[];
  methods: string[];
  lrs: number[];
  /** Seeds per method (the first tunes the rate). */
  seeds: number;
  /** Multiplies every problem's step budget. */
  budget: number;
}

/** Checks the names and numbers of a benchmark config; the message names the bad value. */
export function validateBenchmark(config: BenchmarkConfig): BenchmarkConfig {
  for (const p of config.problems)
    if (!isProblemName(p)) throw new Error(`unknown problem "${p}" (the suite has: ${PROBLEM_NAMES.join(", ")})`);
  for (const m of config.methods)
    if (!SUITE_METHODS.includes(m))
      throw new Error(`unknown method "${m}" (the suite runs: ${SUITE_METHODS.join(", ")})`);
  if (config.problems.length === 0 || config.methods.length === 0) throw new Error("no problem or no method to run");
  if (!(config.budget > 0 && Number.isFinite(config.budget)))
    throw new Error(`--budget must be a positive number, got ${config.budget}`);
  if (!(Number.isInteger(config.seeds) && config.seeds >= 1))
    throw new Error(`--seeds must be a positive integer, got ${config.seeds}`);
  return config;
}

const seedList = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const appliesTo = (problem: ProblemName, method: string) =>
  method !== FULL_BATCH_METHOD || suiteProblem(problem).fullBatch;

/** The grid's rates a problem is tuned on: those within its rate span, or all when none falls there. */
export function ratesFor(problem: ProblemName, lrs: number[]): number[] {
  const span = suiteProblem(problem).rateSpan;
  const within = span ? lrs.filter((lr) => lr >= span[0] && lr <= span[1]) : lrs;
  return within.length ? within : lrs;
}

function sweepOf(config: BenchmarkConfig, points: Record<string, Scalar>[], seeds: number[]): SweepConfig {
  return sweepConfigSchema.parse({ command: "benchmark-trial", base: { budget: config.budget }, points, seeds });
}

/** The first sweep: every first-order method at every rate on seed 0, and L-BFGS on every seed. */
export function tuningSweeps(config: BenchmarkConfig): SweepConfig[] {
  const tune: Record<string, Scalar>[] = [];
  const fullBatch: Record<string, Scalar>[] = [];
  for (const problem of config.problems)
    for (const method of config.methods) {
      if (!appliesTo(problem, method)) continue;
      if (method === FULL_BATCH_METHOD) fullBatch.push({ problem, method });
      else for (const lr of ratesFor(problem, config.lrs)) tune.push({ problem, method, lr });
    }
  return [
    ...(tune.length ? [sweepOf(config, tune, [0])] : []),
    ...(fullBatch.length ? [sweepOf(config, fullBatch, seedList(0, config.seeds))] : []),
  ];
}

/** Each (problem, first-order method)'s rate with the lowest final loss on seed 0 (diverged: last; tie: smaller). */
export function bestRates(rows: JournalRow[]): Map<string, number> {
  const best = new Map<string, { lr: number; loss: number }>();
  for (const row of finalRows(rows).values()) {
    const { problem, method, lr, seed } = row.config;
    if (row.status !== "completed" || seed !== 0 || typeof lr !== "number") continue;
    const loss = finalLoss(row.metrics ?? {});
    const rank = Number.isFinite(loss) ? loss : Infinity;
    const key = `${problem} ${method}`;
    const current = best.get(key);
    if (!current || rank < current.loss || (rank === current.loss && lr < current.lr))
      best.set(key, { lr, loss: rank });
  }
  return new Map([...best].map(([key, { lr }]) => [key, lr]));
}

/** The second sweep: each tuned rate on seeds 1 … K−1. */
export function rerunSweep(config: BenchmarkConfig, best: Map<string, number>): SweepConfig | undefined {
  const points = [...best].map(([key, lr]) => {
    const [problem, method] = key.split(" ");
    return { problem, method, lr };
  });
  return points.length && config.seeds > 1 ? sweepOf(config, points, seedList(1, config.seeds)) : undefined;
}

export interface BenchmarkRun {
  rows: JournalRow[];
  ran: number;
  interrupted: boolean;
}

/** Runs the protocol's sweeps into DIR/journal.jsonl (resuming whatever is there). */
export async function runBenchmark(
  config: BenchmarkConfig,
  opts: {
    dir: string;
    backend: Backend;
    concurrency: number;
    signal?: AbortSignal;
    onRow?: (row: JournalRow, finished: number, total: number) => void;
  },
): Promise<BenchmarkRun> {
  let ran = 0;
  let rows: JournalRow[] = [];
  const sweeps = tuningSweeps(config);
  for (let phase = 0; phase < 2; phase++) {
    for (const sweep of sweeps) {
      const result = await runSweep({ ...opts, sweep });
      ran += result.ran;
      rows = result.rows;
      if (result.interrupted) return { rows, ran, interrupted: true };
    }
    // The reruns depend on the tuning results, so they are known only now.
    sweeps.length = 0;
    const rerun = rerunSweep(config, bestRates(rows));
    if (rerun) sweeps.push(rerun);
  }
  return { rows, ran, interrupted: false };
}
