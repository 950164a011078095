/** The experiments of `descent experiment NAME`, by name. */
import { auxiliaryHeadsExperiment, skipConnectionsExperiment } from "./aids.js";
import { batchnormExperiment } from "./batchnorm.js";
import { clippingExperiment } from "./clipping.js";
import { continuationExperiment } from "./continuation.js";
import { coordinateDescentExperiment } from "./coordinateDescent.js";
import { curriculumExperiment } from "./curriculum.js";
import { hintsExperiment } from "./hints.js";
import { illConditioningExperiment } from "./illConditioning.js";
import { initializationExperiment } from "./initialization.js";
import { minibatchExperiment } from "./minibatch.js";
import { polyakExperiment } from "./polyak.js";
import { pretrainingExperiment } from "./pretraining.js";
import type { Experiment } from "./types.js";

export * from "./types.js";
export * from "./stats.js";

export const EXPERIMENTS: Record<string, Experiment> = Object.fromEntries(
  [
    batchnormExperiment,
    polyakExperiment,
    pretrainingExperiment,
    hintsExperiment,
    auxiliaryHeadsExperiment,
    skipConnectionsExperiment,
    continuationExperiment,
    curriculumExperiment,
    coordinateDescentExperiment,
    initializationExperiment,
    clippingExperiment,
    minibatchExperiment,
    illConditioningExperiment,
  ].map((e) => [e.name, e]),
);
