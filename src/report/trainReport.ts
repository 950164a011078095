import type { MetricsRecord } from "../train/metrics.js";
import { htmlPage } from "./html.js";
import { lineChartSpec, renderSvg } from "./render.js";

/** The report of a training run: summary table, loss curves, accuracy curves, gradient norm. */
export async function trainReport(title: string, summary: [string, string][], records: MetricsRecord[]): Promise<string> {
  const epochs = records.filter((r) => r.type === "epoch");
  const rows = epochs.map((r) => ({
    epoch: r.epoch,
    "train loss": r.trainLoss as number,
    "validation loss": (r.validationLoss as number) ?? null,
    "validation accuracy": (r.validationAccuracy as number) ?? null,
    "mean ‖g‖": (r.gradNorm as number) ?? null,
  }));
  const charts = [
    await renderSvg(lineChartSpec("Loss", rows, "epoch", ["train loss", "validation loss"], { logY: true, yTitle: "loss (log scale)" })),
    await renderSvg(lineChartSpec("Gradient norm", rows, "epoch", ["mean ‖g‖"], { yTitle: "mean minibatch ‖g‖" })),
  ];
  if (rows.some((r) => r["validation accuracy"] !== null)) {
    charts.splice(1, 0, await renderSvg(lineChartSpec("Validation accuracy", rows, "epoch", ["validation accuracy"], { yTitle: "accuracy" })));
  }
  return htmlPage(title, [
    { heading: "Summary", table: summary },
    { heading: "Training curves", svgs: charts },
  ]);
}
