/**
 * Scores a finished benchmark: per problem and method, the tuned rate's final loss (mean ± std over seeds) and
 * its time-to-target, the cost (epochs of gradient work) at which a run's loss first reaches
 * f_L + τ (f0 − f_L), with f_L the lowest loss any scored run reached on that problem (Moré & Wild's convention)
 * and f0 the mean initial loss. The median over seeds is the method's time; Infinity when most seeds miss.
 */
import type { CostTable } from "../benchmark/profiles.js";
import { finalLoss } from "../sweep/command.js";
import { finalRows, type JournalRow } from "../sweep/journal.js";
import { bestRates, type BenchmarkConfig } from "./protocol.js";
import { FULL_BATCH_METHOD, type TrialResult } from "./trial.js";

/** Noisy problems and short budgets: a 10 % and a 1 % target of the way from f0 to f_L. */
export const SUITE_TAUS = [1e-1, 1e-2];

export interface MethodScore {
  problem: string;
  method: string;
  /** The tuned rate (null for L-BFGS). */
  lr: number | null;
  seeds: number;
  /** Mean and sample std of the final loss over seeds (NaN when a seed diverged). */
  mean: number;
  std: number;
  /** Median time-to-target per τ of SUITE_TAUS, in epochs (Infinity: not reached). */
  timeToTarget: number[];
}

export interface BenchmarkScores {
  scores: MethodScore[];
  /** Per problem: f0, f_L and the budget in epochs. */
  problems: { problem: string; f0: number; fL: number; budgetEpochs: number }[];
  /** costs[method][problem index] per τ, for the performance profiles. */
  costs: CostTable[];
}

function meanStd(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, std: Math.sqrt(variance) };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};

/** The first cost at which the curve reaches the target (Infinity if never). */
export function costToTarget(curve: [number, number | null][], target: number): number {
  const hit = curve.find(([, f]) => f !== null && f <= target);
  return hit ? hit[0] : Infinity;
}

/** The runs that count: each method's tuned rate (L-BFGS: all its runs) on every seed of the config. */
function scoredRuns(config: BenchmarkConfig, rows: JournalRow[]): Map<string, TrialResult[]> {
  const best = bestRates(rows);
  const runs = new Map<string, TrialResult[]>();
  for (const row of finalRows(rows).values()) {
    if (row.status !== "completed") continue;
    const { problem, method, lr, seed } = row.config;
    const key = `${problem} ${method}`;
    if (Number(seed) >= config.seeds) continue;
    if (method !== FULL_BATCH_METHOD && best.get(key) !== lr) continue;
    runs.set(key, [...(runs.get(key) ?? []), row.metrics as unknown as TrialResult]);
  }
  return runs;
}

export function scoreBenchmark(config: BenchmarkConfig, rows: JournalRow[]): BenchmarkScores {
  const runs = scoredRuns(config, rows);
  const problems = config.problems.map((problem) => {
    const mine = [...runs].filter(([key]) => key.startsWith(`${problem} `)).flatMap(([, r]) => r);
    const lows = mine.flatMap((r) => r.curve.map(([, f]) => f).filter((f): f is number => f !== null));
    return {
      problem,
      f0: meanStd(mine.map((r) => r.f0)).mean,
      fL: Math.min(...lows),
      budgetEpochs: mine[0]?.budgetEpochs ?? NaN,
    };
  });
  const scores: MethodScore[] = [];
  for (const p of problems)
    for (const method of config.methods) {
      const mine = runs.get(`${p.problem} ${method}`);
      if (!mine) continue;
      const { mean, std } = meanStd(mine.map((r) => finalLoss(r as never)));
      const timeToTarget = SUITE_TAUS.map((tau) =>
        median(mine.map((r) => costToTarget(r.curve, p.fL + tau * (p.f0 - p.fL)))),
      );
      scores.push({ problem: p.problem, method, lr: mine[0].lr, seeds: mine.length, mean, std, timeToTarget });
    }
  const costs = SUITE_TAUS.map((_, t) =>
    Object.fromEntries(
      config.methods.map((method) => [
        method,
        problems.map(
          (p) => scores.find((s) => s.problem === p.problem && s.method === method)?.timeToTarget[t] ?? Infinity,
        ),
      ]),
    ),
  );
  return { scores, problems, costs };
}
