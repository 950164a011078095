import type { TopLevelSpec } from "vega-lite";

type Row = Record<string, number | string | null>;

export interface XyChartOptions {
  xTitle?: string;
  yTitle?: string;
  logX?: boolean;
  logY?: boolean;
  /** A dashed horizontal rule at this y (a threshold). */
  ruleY?: number;
  /** Draw points instead of lines (scattered Ritz values). */
  points?: boolean;
  width?: number;
}

/**
 * A multi-series x–y chart: one line (or point set) per field in `series`, optional log axes and a
 * threshold rule. Non-positive values are dropped on a log axis (Vega-Lite cannot place them).
 */
export function xyChartSpec(title: string, rows: Row[], x: string, series: string[], opts: XyChartOptions = {}): TopLevelSpec {
  const filters = ["isValid(datum.value) && isFinite(datum.value)", `isValid(datum["${x}"])`];
  if (opts.logY) filters.push("datum.value > 0");
  if (opts.logX) filters.push(`datum["${x}"] > 0`);
  const main = {
    transform: [{ fold: series, as: ["series", "value"] }, { filter: filters.join(" && ") }],
    mark: opts.points ? { type: "point", filled: true, size: 30 } : { type: "line", point: rows.length <= 40 },
    encoding: {
      x: { field: x, type: "quantitative", title: opts.xTitle ?? x, scale: opts.logX ? { type: "log" } : { zero: false } },
      y: { field: "value", type: "quantitative", title: opts.yTitle ?? "", scale: opts.logY ? { type: "log" } : { zero: false } },
      color: { field: "series", type: "nominal", title: null, sort: series },
    },
  };
  const layers: object[] = [main];
  if (opts.ruleY !== undefined) layers.push({ mark: { type: "rule", strokeDash: [4, 4], color: "#888" }, encoding: { y: { datum: opts.ruleY } } });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: opts.width ?? 420,
    height: 220,
    data: { values: rows },
    layer: layers,
  } as TopLevelSpec;
}
