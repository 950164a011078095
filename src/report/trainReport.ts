import type { MetricsRecord } from "../train/metrics.js";
import { xyChartSpec } from "./charts.js";
import { htmlPage } from "./html.js";
import { renderSvg } from "./render.js";

/** A report page and its charts, each also meant to be saved as an SVG file (name → SVG). */
export interface Report {
  html: string;
  charts: Record<string, string>;
}

/**
 * The report of a training run: summary table, loss curves, accuracy curves (classification only),
 * gradient norm. `records` are metrics.jsonl's lines, so a resumed run is covered from its first epoch.
 */
export async function trainReport(
  title: string,
  summary: [string, string][],
  records: MetricsRecord[],
  opts: { classification: boolean },
): Promise<Report> {
  const epochs = records.filter((r) => r.type === "epoch");
  const rows = epochs.map((r) => ({
    epoch: r.epoch,
    "train loss": r.trainLoss as number,
    "validation loss": (r.validationLoss as number) ?? null,
    "validation accuracy": (r.validationAccuracy as number) ?? null,
    "mean ‖g‖": (r.gradNorm as number) ?? null,
  }));
  const lossName = opts.classification ? "cross-entropy loss" : "mean squared error";
  const specs = {
    loss: xyChartSpec(`Loss (${lossName})`, rows, "epoch", ["train loss", "validation loss"], {
      logY: true,
      yTitle: "loss (log scale)",
      integerX: true,
    }),
  };
  const charts: Record<string, string> = { loss: await renderSvg(specs.loss) };
  if (opts.classification && rows.some((r) => r["validation accuracy"] !== null)) {
    charts.accuracy = await renderSvg(
      xyChartSpec("Validation accuracy", rows, "epoch", ["validation accuracy"], {
        yTitle: "accuracy",
        integerX: true,
        percentY: true,
      }),
    );
  }
  charts["gradient-norm"] = await renderSvg(
    xyChartSpec("Gradient norm", rows, "epoch", ["mean ‖g‖"], { yTitle: "mean minibatch ‖g‖", integerX: true }),
  );
  const task = opts.classification
    ? "Classification: the loss is the cross-entropy, the NLL surrogate of the 0-1 error (8.1.2)."
    : "Regression: the loss is the mean squared error; there is no accuracy.";
  // metrics.jsonl keeps the epochs before a resume, so the curves cover the whole run.
  const coverage =
    `Epochs 1–${epochs.length ? epochs[epochs.length - 1].epoch : 0} of the whole run (read from ` +
    `metrics.jsonl, resumed parts included).`;
  const html = htmlPage(title, [
    { heading: "Summary", text: task, table: summary },
    { heading: "Training curves", text: coverage, svgs: Object.values(charts) },
  ]);
  return { html, charts };
}
