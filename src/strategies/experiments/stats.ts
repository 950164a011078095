/** Summaries over seeds and the decision rules the experiments state. */
import type { ResultRow } from "./types.js";

export interface Summary {
  mean: number;
  /** Sample standard deviation (0 for one value). */
  std: number;
  /** Standard error of the mean, std/√n. */
  se: number;
  n: number;
}

/** Over the finite values only (a diverged run is counted apart, as NaN here). */
export function summarize(all: number[]): Summary {
  const values = all.filter(Number.isFinite);
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, se: std / Math.sqrt(n), n };
}

/** mean(a) − mean(b) and its standard error (independent samples). */
export function difference(a: number[], b: number[]): { diff: number; se: number } {
  const [sa, sb] = [summarize(a), summarize(b)];
  return { diff: sa.mean - sb.mean, se: Math.sqrt(sa.se ** 2 + sb.se ** 2) };
}

/** The default rule: a is larger than b by more than two standard errors of the difference. */
export function exceedsByTwoSe(a: number[], b: number[]): { holds: boolean; text: string } {
  const [na, nb] = [a.filter(Number.isFinite).length, b.filter(Number.isFinite).length];
  if (!na || !nb) return { holds: false, text: `no finite runs to compare (${na} and ${nb})` };
  const { diff, se } = difference(a, b);
  return {
    holds: diff > 2 * se && diff > 0,
    text: `difference ${fmt(diff)} vs 2·SE = ${fmt(2 * se)} (n = ${na}, ${nb})`,
  };
}

/** The paired version (same seeds, same trajectory): mean of a_i − b_i above two standard errors. */
export function pairedExceedsByTwoSe(a: number[], b: number[]): { holds: boolean; text: string } {
  const s = summarize(a.map((v, i) => v - b[i]));
  return {
    holds: s.mean > 2 * s.se && s.mean > 0,
    text: `paired difference ${fmt(s.mean)} vs 2·SE = ${fmt(2 * s.se)} (n = ${s.n})`,
  };
}

/** Least-squares slope and its standard error of y on x. */
export function fitSlope(x: number[], y: number[]): { slope: number; intercept: number; se: number } {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  const sxx = x.reduce((s, v) => s + (v - mx) ** 2, 0);
  const slope = x.reduce((s, v, i) => s + (v - mx) * (y[i] - my), 0) / sxx;
  const intercept = my - slope * mx;
  const rss = x.reduce((s, v, i) => s + (y[i] - intercept - slope * v) ** 2, 0);
  return { slope, intercept, se: n > 2 ? Math.sqrt(rss / (n - 2) / sxx) : 0 };
}

export const fmt = (v: number) =>
  Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : Number(v.toPrecision(4)).toString();

/** A row of mean and std per metric from per-seed values, which it keeps (copied) under `perSeed`. */
export function rowOf(variant: string, metrics: Record<string, number[]>): ResultRow {
  const row: ResultRow = { variant };
  for (const [name, values] of Object.entries(metrics)) {
    const s = summarize(values);
    row[name] = s.mean;
    row[`${name}Std`] = s.std;
  }
  row.perSeed = Object.fromEntries(Object.entries(metrics).map(([name, values]) => [name, [...values]]));
  return row;
}
