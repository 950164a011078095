import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Scalar } from "./config.js";

export type SweepCommand = "train" | "optimize" | "benchmark-trial";

// `descent optimize`'s own flags; any other key of an optimize trial is a method setting (its --config JSON).
const OPTIMIZE_FLAGS = new Set(["problem", "method", "steps", "maxIter", "tol", "dim", "cond", "seed", "dtype"]);

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function flagArgs(settings: Record<string, Scalar>): string[] {
  const args: string[] = [];
  for (const [key, value] of Object.entries(settings)) {
    if (value === false) continue;
    args.push(`--${kebab(key)}`);
    if (value !== true) args.push(String(value));
  }
  return args;
}

/** The `descent` arguments of one trial run: its settings as flags, `--json`, and (train) its own output directory. */
export function trialArgs(
  command: SweepCommand,
  settings: Record<string, Scalar>,
  outDir: string,
  resume: boolean,
): string[] {
  if (command === "train")
    return ["train", ...flagArgs(settings), "--out", outDir, ...(resume ? ["--resume"] : []), "--json"];
  if (command === "benchmark-trial") return ["benchmark-trial", ...flagArgs(settings), "--json"];
  const flags = Object.fromEntries(Object.entries(settings).filter(([k]) => OPTIMIZE_FLAGS.has(k)));
  const methodConfig = Object.fromEntries(Object.entries(settings).filter(([k]) => !OPTIMIZE_FLAGS.has(k)));
  return [
    "optimize",
    ...flagArgs(flags),
    ...(Object.keys(methodConfig).length ? ["--config", JSON.stringify(methodConfig)] : []),
    "--json",
  ];
}

/** The field ASHA's resource sets: epochs of training, steps of an optimizer, a benchmark run's budget. */
export const resourceField = (command: SweepCommand) =>
  command === "train" ? "epochs" : command === "optimize" ? "steps" : "budget";

/** The final loss in a command's --json summary (train: training loss; optimize: f). */
export function finalLoss(metrics: Record<string, unknown>): number {
  const value = metrics.trainLoss ?? metrics.f;
  return typeof value === "number" ? value : NaN;
}

/** The built `descent` entry point (bin/descent.js), found from this module in src/ or dist/src/. */
export function descentBin(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, "bin", "descent.js");
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error("cannot find bin/descent.js above the sweep module");
}
