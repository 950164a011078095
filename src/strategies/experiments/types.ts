/**
 * The shape of a `descent experiment`: a baseline against a method on the same budget and seeds,
 * a table of mean ± std over seeds, a chart, the book's claim and a stated rule that decides from
 * the numbers whether the claim reproduced. Experiments return data; the CLI prints and renders.
 */
import type { Precision } from "../../engine/index.js";

/** smoke: seconds, for tests (the numbers mean nothing); quick: under a minute; full: the reported setting. */
export type ExperimentSize = "smoke" | "quick" | "full";

export interface ExperimentContext {
  size: ExperimentSize;
  seeds: number[];
  precision: Precision;
  /** One progress line (stderr in the CLI). */
  log: (line: string) => void;
}

/** The values of each metric, one per seed in the order of the run's seeds (NaN: that seed's run diverged). */
export type PerSeed = Record<string, number[]>;

/** One table row: the variant, its metrics (a metric `m` comes with `mStd` over seeds) and their per-seed values. */
export type ResultRow = { variant: string; perSeed?: PerSeed } & Record<string, number | string | PerSeed | undefined>;

export interface ChartData {
  title: string;
  x: string;
  xTitle?: string;
  yTitle?: string;
  series: string[];
  rows: Record<string, number | string | null>[];
  logX?: boolean;
  logY?: boolean;
}

export interface ExperimentOutcome {
  rows: ResultRow[];
  reproduced: boolean;
  /** The rule that decided `reproduced`, with the numbers it compared. */
  verdict: string;
  chart: ChartData;
  /** The setting actually run (sizes, steps, learning rates), for the record. */
  settings: Record<string, unknown>;
}

export interface Experiment {
  name: string;
  /** One sentence from the book (or the reading of it) that the experiment tests. */
  claim: string;
  /** Default number of seeds per size. */
  seeds: Record<ExperimentSize, number>;
  run(ctx: ExperimentContext): Promise<ExperimentOutcome>;
}
