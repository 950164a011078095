/** The one place for chart specs (Vega-Lite): x–y curves, histograms and bars; render.ts draws them. */
import type { TopLevelSpec } from "vega-lite";
import { AXIS_NUMBER, AXIS_PERCENT } from "./format.js";

export type Row = Record<string, number | string | null>;

export const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** Series colours (Tableau 10): the same method keeps its colour across panels of a figure. */
export const PALETTE = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
];

export interface XyChartOptions {
  xTitle?: string;
  yTitle?: string;
  logX?: boolean;
  logY?: boolean;
  /** Integer ticks on x (epochs, steps, batch sizes). */
  integerX?: boolean;
  /** y values are fractions shown as percentages (accuracy, error). */
  percentY?: boolean;
  /** A dashed horizontal rule at this y (a threshold). */
  ruleY?: number;
  /** Draw points instead of lines (scattered Ritz values). */
  points?: boolean;
  width?: number;
  height?: number;
}

export const axis = (title: string, opts: { integer?: boolean; percent?: boolean } = {}) => ({
  title,
  format: opts.percent ? AXIS_PERCENT : opts.integer ? "d" : AXIS_NUMBER,
  ...(opts.integer ? { tickMinStep: 1 } : {}),
});

/**
 * A multi-series x–y chart: one line (or point set) per field in `series`, optional log axes and a
 * threshold rule. Non-positive values are dropped on a log axis (Vega-Lite cannot place them).
 */
export function xyChartSpec(
  title: string,
  rows: Row[],
  x: string,
  series: string[],
  opts: XyChartOptions = {},
): TopLevelSpec {
  // Vega reads "." and "[" in a field name as nested access: escape them (series keep their names).
  const field = (name: string) => name.replace(/[.[\]]/g, (c) => `\\${c}`);
  const filters = ["isValid(datum.value) && isFinite(datum.value)", `isValid(datum["${x}"])`];
  x = field(x);
  if (opts.logY) filters.push("datum.value > 0");
  if (opts.logX) filters.push(`datum["${x}"] > 0`);
  const main = {
    transform: [{ fold: series.map(field), as: ["series", "value"] }, { filter: filters.join(" && ") }],
    mark: opts.points ? { type: "point", filled: true, size: 30 } : { type: "line", point: rows.length <= 40 },
    encoding: {
      x: {
        field: x,
        type: "quantitative",
        axis: axis(opts.xTitle ?? x, { integer: opts.integerX }),
        scale: opts.logX ? { type: "log" } : { zero: false },
      },
      y: {
        field: "value",
        type: "quantitative",
        axis: axis(opts.yTitle ?? "", { percent: opts.percentY }),
        scale: opts.logY ? { type: "log" } : { zero: false },
      },
      // No label limit: series names such as "relu 2×256, SGD: gᵀHg" were cut at Vega's default 160 px.
      color: {
        field: "series",
        type: "nominal",
        title: null,
        sort: series,
        scale: { range: PALETTE },
        legend: { labelLimit: 0 },
      },
    },
  };
  const layers: object[] = [main];
  if (opts.ruleY !== undefined)
    layers.push({ mark: { type: "rule", strokeDash: [4, 4], color: "#888" }, encoding: { y: { datum: opts.ruleY } } });
  return {
    $schema: SCHEMA,
    title,
    width: opts.width ?? 420,
    height: opts.height ?? 220,
    data: { values: rows },
    layer: layers,
  } as TopLevelSpec;
}

/** A histogram of `values` in `bins` equal bins (counted here, so the spec carries bars, not raw samples). */
export function histogramSpec(
  title: string,
  values: number[],
  opts: { bins?: number; xTitle?: string; width?: number } = {},
): TopLevelSpec {
  const finite = values.filter(Number.isFinite);
  const bins = opts.bins ?? 30;
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const width = hi > lo ? (hi - lo) / bins : 1;
  const counts = new Array(bins).fill(0);
  for (const v of finite) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  const rows = counts.map((count, k) => ({ from: lo + k * width, to: lo + (k + 1) * width, count }));
  return {
    $schema: SCHEMA,
    title,
    width: opts.width ?? 420,
    height: 220,
    data: { values: rows },
    mark: { type: "rect", color: PALETTE[0] },
    encoding: {
      x: { field: "from", type: "quantitative", axis: axis(opts.xTitle ?? "") },
      x2: { field: "to" },
      y: { field: "count", type: "quantitative", axis: axis("count", { integer: true }) },
      y2: { datum: 0 },
    },
  } as TopLevelSpec;
}

/** Side-by-side panels under one title (a figure of several charts). */
export function panels(title: string, specs: TopLevelSpec[], caption?: string): TopLevelSpec {
  const strip = ({ $schema, ...rest }: Record<string, unknown>) => rest;
  return {
    $schema: SCHEMA,
    title: caption
      ? { text: title, subtitle: wrap(caption, 120), anchor: "start", subtitleFontSize: 11 }
      : { text: title, anchor: "start" },
    hconcat: specs.map((s) => strip(s as unknown as Record<string, unknown>)),
    resolve: { scale: { color: "independent" } },
  } as unknown as TopLevelSpec;
}

/** Splits a caption into lines of at most `width` characters (Vega titles do not wrap by themselves). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) lines.push(line), (line = word);
    else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
