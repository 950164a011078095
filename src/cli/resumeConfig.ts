import { readCheckpointInfo } from "../train/index.js";
import { UserError } from "./errors.js";
import {
  describeZodError,
  resolveDefaults,
  RUN_CONTROL_KEYS,
  trainConfigSchema,
  type TrainConfig,
} from "./trainConfig.js";

const isControl = (key: string) => (RUN_CONTROL_KEYS as readonly string[]).includes(key);
// Recorded beside the settings so train.loadModel can rebuild the network; derived from the data, never given.
const RECORDED_FOR_LOADING = ["inputShape", "outputs"];

/** What a checkpoint stores of a run's config: every resolved setting, none of the session's control keys. */
export function storedSettings(resolved: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(resolved).filter(([k, v]) => !isControl(k) && v !== undefined));
}

/**
 * `--resume`: every setting comes from the checkpoint, so nothing has to be typed again. A setting given
 * again must agree with the run's (defaults filled in on both sides); `--epochs` may be raised to extend it.
 */
export function resumedConfig(given: Record<string, unknown>, checkpointPath: string): TrainConfig {
  const { config: stored } = readCheckpointInfo(checkpointPath);
  if (!stored || typeof stored !== "object" || Array.isArray(stored))
    throw new UserError(`--resume: ${checkpointPath} records no settings (it was not written by descent train)`);
  // Older checkpoints stored an unset setting as null.
  const settings = Object.fromEntries(
    Object.entries(stored).filter(([k, v]) => v !== null && !isControl(k) && !RECORDED_FOR_LOADING.includes(k)),
  );
  const run = trainConfigSchema.safeParse(settings);
  if (!run.success) throw new UserError(describeZodError(run.error, `--resume: the settings in ${checkpointPath}`));
  const merged = trainConfigSchema.safeParse({ ...settings, ...given, resume: true });
  if (!merged.success) throw new UserError(describeZodError(merged.error, "train"));
  const before = resolveDefaults(run.data) as Record<string, unknown>;
  const after = resolveDefaults(merged.data) as Record<string, unknown>;
  const differing = Object.keys(given).filter(
    (k) => !isControl(k) && k !== "epochs" && JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null),
  );
  if (differing.length) {
    const list = differing
      .map((k) => `${k}: ${JSON.stringify(before[k] ?? null)} in the run, ${JSON.stringify(after[k])} given`)
      .join("; ");
    throw new UserError(`--resume continues a run with its own settings; leave out the ones that differ (${list})`);
  }
  if ((after.epochs as number) < (before.epochs as number))
    throw new UserError(
      `--resume: --epochs ${after.epochs} is below the run's ${before.epochs}; a resume can only extend a run`,
    );
  return merged.data;
}
