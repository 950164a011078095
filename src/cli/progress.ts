import cliProgress from "cli-progress";
import type { TrainCallbacks } from "../train/index.js";

/** A progress bar on stderr (only when it is a terminal): steps done, epoch, current loss, ETA. */
export function progressCallbacks(enabled: boolean): TrainCallbacks & { stop(): void } {
  if (!enabled) return { stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      format: "training |{bar}| {percentage}% | step {value}/{total} | epoch {epoch} | loss {loss} | ETA {eta_formatted}",
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    onStart: ({ totalSteps, startStep }) => bar.start(totalSteps, startStep, { epoch: 1, loss: "…" }),
    onStep: ({ step, epoch, stats }) => bar.update(step, { epoch: epoch + 1, loss: stats.loss.toFixed(4) }),
    stop: () => bar.stop(),
  };
}
