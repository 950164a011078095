import cliProgress from "cli-progress";
import type { MetricsRecord, TrainCallbacks } from "../train/index.js";

export type ProgressMode = "bar" | "lines" | "off";

/** A bar when stderr is a terminal, else one line per epoch: progress never goes to stdout (it stays for --json). */
export const progressModeOf = (stream: NodeJS.WriteStream = process.stderr): ProgressMode =>
  stream.isTTY ? "bar" : "lines";

/** "1 min 05 s" / "12 s": the time estimate of the line mode. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s` : `${s} s`;
}

export function formatRecord(r: MetricsRecord): string {
  const parts = [`train loss ${typeof r.trainLoss === "number" ? r.trainLoss.toFixed(4) : "n/a"}`];
  if (typeof r.validationLoss === "number") parts.push(`validation loss ${r.validationLoss.toFixed(4)}`);
  if (typeof r.validationAccuracy === "number")
    parts.push(`validation accuracy ${(r.validationAccuracy * 100).toFixed(2)}%`);
  if (typeof r.skippedUpdates === "number" && r.skippedUpdates > 0) parts.push(`${r.skippedUpdates} updates skipped`);
  return parts.join(", ");
}

/** Training progress on stderr: a bar on a terminal (steps, epoch, loss, ETA), or a line per epoch with an ETA. */
export function progressCallbacks(mode: ProgressMode, label = "training"): TrainCallbacks & { stop(): void } {
  if (mode === "off") return { stop() {} };
  if (mode === "lines") return lineProgress(label);
  const bar = new cliProgress.SingleBar(
    {
      format:
        `${label} |{bar}| {percentage}% | step {value}/{total} | epoch {epoch} | loss {loss} | ETA ` +
        `{eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let running = false;
  return {
    onStart: ({ totalSteps, startStep }) => {
      bar.start(totalSteps, startStep, { epoch: 1, loss: "…" });
      running = true;
    },
    onStep: ({ step, epoch, stats }) => bar.update(step, { epoch: epoch + 1, loss: stats.loss.toFixed(4) }),
    // Shows the cursor and turns line wrap back on (also when a signal stops the run).
    stop: () => {
      if (running) bar.stop();
      running = false;
    },
  };
}

function lineProgress(label: string): TrainCallbacks & { stop(): void } {
  let plan = { totalSteps: 0, startStep: 0, stepsPerEpoch: 1 };
  const started = performance.now();
  return {
    onStart: (info) => {
      plan = info;
      process.stderr.write(
        `${label}: ${info.totalSteps} steps (${info.stepsPerEpoch} per epoch)` +
          `${info.startStep ? `, resuming at step ${info.startStep}` : ""}\n`,
      );
    },
    onEpochEnd: (r) => {
      const done = r.step - plan.startStep;
      const seconds = (performance.now() - started) / 1000;
      const remaining = done > 0 ? (seconds / done) * (plan.totalSteps - r.step) : NaN;
      const epochs = Math.ceil(plan.totalSteps / plan.stepsPerEpoch);
      process.stderr.write(
        `epoch ${r.epoch}/${epochs}: ${formatRecord(r)} (step ${r.step}/${plan.totalSteps}, ETA ` +
          `${formatSeconds(remaining)})\n`,
      );
    },
    stop() {},
  };
}
