/**
 * Performance profiles (Dolan & Moré 2002) and data profiles (Moré & Wild 2009) over a set of
 * problems: how often, and how cheaply in gradient evaluations, each solver reaches
 * f(x) <= f_L + τ (f(x0) − f_L).
 */

/** What a profile needs of one solver's run on one case. */
export interface Outcome {
  case: string;
  solver: string;
  f0: number;
  /** Final f and ‖g‖₂ (NaN when the run failed outright). */
  f: number;
  gradNorm: number;
  gevals: number;
  /** [gradient evaluations so far, f] after each iteration, from [1, f(x0)]. */
  trace: [number, number | null][];
}

/** Relative precision of the printed f* (six significant digits in Moré, Garbow & Hillstrom). */
const PRINTED = 1e-5;

/**
 * f_L of a case: the published f*, or, as Moré & Wild do, the lowest f any solver found when that is
 * lower; also when it matches a positive f* to its printed digits (f* = 124.362 is 124.36227… rounded).
 * Undefined when f* is unknown (then "solved" means ‖g‖ <= 1e-5).
 */
export function referenceValue(fstar: number | undefined, outcomes: Outcome[]): number | undefined {
  if (fstar === undefined) return undefined;
  const best = Math.min(...outcomes.map((o) => o.f).filter(Number.isFinite));
  if (best < fstar) return best;
  if (fstar !== 0 && best - fstar <= PRINTED * Math.abs(fstar)) return best;
  return fstar;
}

/**
 * Gradient evaluations a run needed to solve its case to tolerance τ: the first point of its trace
 * with f − f_L <= τ(f0 − f_L); with f_L unknown, the whole run if it ended with ‖g‖ <= 1e-5. Infinity if never.
 */
export function evaluationsToSolve(outcome: Outcome, fL: number | undefined, tau: number): number {
  if (fL === undefined) return outcome.gradNorm <= 1e-5 ? outcome.gevals : Infinity;
  const target = fL + tau * (outcome.f0 - fL);
  const hit = outcome.trace.find(([, f]) => f !== null && f <= target);
  return hit ? hit[0] : Infinity;
}

/** cost[solver][p]: the evaluations each solver needed on each problem (Infinity: unsolved). */
export type CostTable = Record<string, number[]>;

export function costTable(cases: { id: string; fstar?: number }[], outcomes: Outcome[], tau: number): CostTable {
  const solvers = [...new Set(outcomes.map((o) => o.solver))];
  const table: CostTable = Object.fromEntries(solvers.map((s) => [s, []]));
  for (const c of cases) {
    const mine = outcomes.filter((o) => o.case === c.id);
    const fL = referenceValue(c.fstar, mine);
    for (const solver of solvers) {
      const outcome = mine.find((o) => o.solver === solver);
      table[solver].push(outcome ? evaluationsToSolve(outcome, fL, tau) : Infinity);
    }
  }
  return table;
}

export const solvedCount = (costs: number[]) => costs.filter(Number.isFinite).length;

/** ρ_s(α) = share of problems with cost <= α · (the best solver's cost), at each ratio α. */
export function performanceProfile(costs: CostTable, ratios: number[]): Record<string, number | string>[] {
  const solvers = Object.keys(costs);
  const problems = costs[solvers[0]]?.length ?? 0;
  const best = Array.from({ length: problems }, (_, p) => Math.min(...solvers.map((s) => costs[s][p])));
  return ratios.map((ratio) => {
    const row: Record<string, number | string> = { ratio };
    for (const s of solvers)
      row[s] = costs[s].filter((c, p) => Number.isFinite(c) && c <= ratio * best[p]).length / problems;
    return row;
  });
}

/** d_s(κ) = share of problems solved within κ gradient evaluations. */
export function dataProfile(costs: CostTable, budgets: number[]): Record<string, number | string>[] {
  return budgets.map((budget) => {
    const row: Record<string, number | string> = { budget };
    for (const [s, c] of Object.entries(costs)) row[s] = c.filter((v) => v <= budget).length / c.length;
    return row;
  });
}

/** n points from a to b, evenly spaced on a log scale. */
export const logGrid = (a: number, b: number, n: number) =>
  Array.from({ length: n }, (_, i) => a * (b / a) ** (i / (n - 1)));

/** The ratios where some solver's profile can jump (every finite cost ratio), for an exact step chart. */
export function profileRatios(costs: CostTable, maxRatio: number): number[] {
  const solvers = Object.keys(costs);
  const problems = costs[solvers[0]]?.length ?? 0;
  const ratios = new Set<number>([1, maxRatio]);
  for (let p = 0; p < problems; p++) {
    const best = Math.min(...solvers.map((s) => costs[s][p]));
    if (!Number.isFinite(best)) continue;
    for (const s of solvers)
      if (Number.isFinite(costs[s][p]) && costs[s][p] / best <= maxRatio) ratios.add(costs[s][p] / best);
  }
  return [...ratios].sort((a, b) => a - b);
}
