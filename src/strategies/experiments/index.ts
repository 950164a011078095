/** The experiments of `descent experiment NAME`, by name. */
import { batchnormExperiment } from "./batchnorm.js";
import { clippingExperiment } from "./clipping.js";
import { continuationExperiment } from "./continuation.js";
import { minibatchExperiment } from "./minibatch.js";
import { polyakExperiment } from "./polyak.js";
import type { Experiment } from "./types.js";

export * from "./types.js";
export * from "./stats.js";

export const EXPERIMENTS: Record<string, Experiment> = Object.fromEntries(
  [batchnormExperiment, polyakExperiment, continuationExperiment, clippingExperiment, minibatchExperiment].map((e) => [e.name, e]),
);
