import { xyChartSpec } from "../report/charts.js";
import { renderSvg } from "../report/render.js";
import type { SweepCommand } from "./command.js";
import type { JournalRow } from "./journal.js";
import { bestPerMethod, lrSensitivityRows, summarizeSettings, summaryTable } from "./summary.js";

/** The sweep's outputs: the summary table (Markdown) and the lr-sensitivity chart (SVG, absent without an lr axis). */
export async function sweepReport(command: SweepCommand, rows: JournalRow[]): Promise<{ table: string; best: ReturnType<typeof bestPerMethod>; lrChartSvg?: string }> {
  const settings = summarizeSettings(command, rows);
  const best = bestPerMethod(settings);
  const { rows: chartRows, methods } = lrSensitivityRows(settings);
  // A log loss axis only when every loss is positive (optimize's f can be negative).
  const logY = chartRows.every((r) => methods.every((m) => r[m] === null || r[m]! > 0));
  const lrChartSvg = chartRows.length
    ? await renderSvg(xyChartSpec("Learning-rate sensitivity (mean over seeds)", chartRows, "lr", methods, { xTitle: "learning rate", yTitle: "final loss", logX: true, logY }))
    : undefined;
  return { table: summaryTable(best), best, lrChartSvg };
}
