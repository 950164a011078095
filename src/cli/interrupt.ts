/** A run stopped by SIGINT or SIGTERM after saving a checkpoint: the CLI prints the message and exits with 130. */
export class Interrupted extends Error {
  override name = "Interrupted";
}

/**
 * Turns the first SIGINT/SIGTERM into an abort (the Trainer checkpoints at the next step boundary);
 * `onSignal` runs at once (it restores the terminal). A second signal exits at once with 130.
 */
export function abortOnSignals(onSignal: () => void): {
  signal: AbortSignal;
  received(): NodeJS.Signals | undefined;
  dispose(): void;
} {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const handler = (name: NodeJS.Signals) => {
    onSignal();
    if (received) process.exit(130);
    received = name;
    process.stderr.write(
      `\n${name}: saving a checkpoint at the current step (press Ctrl-C again to quit without it)\n`,
    );
    controller.abort();
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    signal: controller.signal,
    received: () => received,
    dispose() {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
}
