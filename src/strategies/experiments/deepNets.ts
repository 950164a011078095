/**
 * The "deep plain network" shared by the experiments on what aids optimization (pretraining,
 * auxiliary heads, skip connections): the same deep sigmoid MLP and SGD step as `batchnorm`, so
 * that every aid is measured against one baseline setting.
 */
import type { ExperimentSize } from "./types.js";

export const DEEP_PLAIN = {
  smoke: { depth: 4, width: 16, epochs: 1 },
  quick: { depth: 8, width: 64, epochs: 2 },
  full: { depth: 8, width: 64, epochs: 6 },
} satisfies Record<ExperimentSize, { depth: number; width: number; epochs: number }>;

export const DEEP_SGD = { activation: "sigmoid" as const, lr: 0.1, batchSize: 64 };
