import type { TopLevelSpec } from "vega-lite";

// vega-lite's warnings would land on stdout/stderr of a CLI whose stdout must stay clean.
const quietLogger = { level: () => quietLogger, error() { return quietLogger; }, warn() { return quietLogger; }, info() { return quietLogger; }, debug() { return quietLogger; } };

/** Renders a Vega-Lite spec to a standalone SVG string (headless, no canvas needed). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // Loaded on first use: vega takes ~0.9 s to import, which `import "descent"` should not pay.
  const [vega, { compile }] = await Promise.all([import("vega"), import("vega-lite")]);
  const view = new vega.View(vega.parse(compile(spec, { logger: quietLogger as never }).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

type Row = Record<string, number | string | null>;

/** A multi-series line chart: one line per entry of `series` (field names of `rows`), x = `x`. */
export function lineChartSpec(title: string, rows: Row[], x: string, series: string[], opts: { logY?: boolean; yTitle?: string } = {}): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: 420,
    height: 220,
    data: { values: rows },
    transform: [{ fold: series, as: ["series", "value"] }, { filter: "isValid(datum.value) && isFinite(datum.value)" }],
    mark: { type: "line", point: rows.length <= 40 },
    encoding: {
      x: { field: x, type: "quantitative", title: x },
      y: { field: "value", type: "quantitative", title: opts.yTitle ?? "", scale: opts.logY ? { type: "log" } : { zero: false } },
      color: { field: "series", type: "nominal", title: null },
    },
  } as TopLevelSpec;
}
