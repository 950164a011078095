import { xyChartSpec } from "../report/charts.js";
import { renderSvg } from "../report/render.js";
import type { SweepCommand } from "./command.js";
import { bestCurveRows } from "./curves.js";
import type { JournalRow } from "./journal.js";
import { bestPerMethod, lrSensitivityRows, summarizeSettings, summaryTable } from "./summary.js";

/**
 * The sweep's outputs: the summary table (Markdown) and the lr-sensitivity chart (SVG,
 * absent without an lr axis) and the best trials' training curves (train sweeps).
 */
export async function sweepReport(
  command: SweepCommand,
  dir: string,
  rows: JournalRow[],
): Promise<{ table: string; best: ReturnType<typeof bestPerMethod>; lrChartSvg?: string; curvesSvg?: string }> {
  const settings = summarizeSettings(command, rows);
  const best = bestPerMethod(settings);
  const { rows: chartRows, methods } = lrSensitivityRows(settings);
  // A log loss axis only when every loss is positive (optimize's f can be negative).
  const logY = chartRows.every((r) => methods.every((m) => r[m] === null || r[m]! > 0));
  const lrChartSvg = chartRows.length
    ? await renderSvg(
        xyChartSpec("Learning-rate sensitivity (mean over seeds)", chartRows, "lr", methods, {
          xTitle: "learning rate",
          yTitle: "final loss",
          logX: true,
          logY,
        }),
      )
    : undefined;
  const curves = bestCurveRows(dir, rows, best);
  const curvesSvg = curves.rows.length
    ? await renderSvg(
        xyChartSpec("Training loss of the best setting per method (first seed)", curves.rows, "epoch", curves.methods, {
          yTitle: "training loss",
        }),
      )
    : undefined;
  return { table: summaryTable(best), best, lrChartSvg, curvesSvg };
}
