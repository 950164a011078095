import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { numpy as np } from "@jax-js/jax";
import {
  disposeTree,
  precisionOf,
  random,
  treeFromHost,
  type DTypeName,
  type HostTensor,
  type Precision,
  type Tree,
} from "../engine/index.js";
import type { Dataset } from "../data/dataset.js";
import { readSafetensors } from "../io/safetensors.js";
import { buildModel, type Layer, type ModelName, type ModelOptions } from "../nn/index.js";
import { CHECKPOINT_FORMAT, unprefixed, type Progress } from "./checkpoint.js";
import { evaluate, type Evaluation } from "./evaluate.js";
import { compilePredict } from "./step.js";

/** What `descent train` stores in a checkpoint's config to rebuild its model without the dataset. */
export interface StoredModelConfig extends ModelOptions {
  model?: ModelName;
  dtype?: DTypeName | "float64-fast";
  /** One example's input shape (no batch axis). */
  inputShape?: number[];
  /** Number of classes, or the width of a regression target. */
  outputs?: number;
}

export interface LoadModelOptions {
  /** The network, for a checkpoint of one's own Trainer run (default: rebuilt from the stored config). */
  model?: Layer;
  /** One example's input shape (default: the stored config's). */
  inputShape?: number[];
  /** Default: the stored config's dtype, else float32. */
  precision?: Precision;
  /**
   * "best" (default): the best epoch's weights when early stopping kept them, as the Trainer's final
   * evaluation uses them, else the last; "final": the weights at the last step (to resume or diagnose the run).
   */
  weights?: "best" | "final";
}

/** A checkpoint file read once: its tensors, the settings of its run and where the run stood. */
export interface ModelCheckpoint {
  file: string;
  tensors: Map<string, HostTensor>;
  /** The run's stored settings (`descent train` records the model, dtype and input shape among them). */
  config: StoredModelConfig & Record<string, unknown>;
  progress: Progress;
}

/** A trained network ready to predict: parameters and model state (batch-norm running statistics), no optimizer. */
export interface LoadedModel {
  model: Layer;
  params: Tree;
  modelState: Tree;
  precision: Precision;
  inputShape: number[];
  /** Which weights were loaded ("best" only when the checkpoint kept a best epoch). */
  weights: "best" | "final";
  /** Where the run stood (step, epoch) and its stored settings. */
  progress: Progress;
  config: ModelCheckpoint["config"];
  /** Model outputs (logits) in eval mode for a batch [n, ...inputShape]; consumes x. */
  predict(x: np.Array): np.Array;
  /** Mean loss (and accuracy) on a dataset, as the Trainer evaluates it. */
  evaluate(data: Dataset): Evaluation;
  dispose(): void;
}

/** The checkpoint file of a `descent train --out` directory, or the file itself. */
function checkpointFile(path: string): string {
  if (!existsSync(path)) throw new Error(`loadModel: ${path} does not exist`);
  return statSync(path).isDirectory() ? join(path, "checkpoint.safetensors") : path;
}

/** Reads a `descent train --out` directory's checkpoint (or a checkpoint file a Trainer wrote) once. */
export function readModelCheckpoint(path: string): ModelCheckpoint {
  const file = checkpointFile(path);
  const { tensors, metadata } = readSafetensors(file);
  if (metadata.format !== CHECKPOINT_FORMAT)
    throw new Error(`loadModel: ${file} is not a Descent checkpoint (format "${metadata.format ?? "missing"}")`);
  const config = JSON.parse(metadata.config ?? "null") ?? {};
  const progress = JSON.parse(metadata.progress ?? "null") ?? { step: 0, epoch: 0 };
  return { file, tensors, config, progress };
}

/**
 * Loads a trained network for prediction from a `descent train --out` directory, a checkpoint file a
 * Trainer wrote, or a checkpoint already read: parameters and model state, without the optimizer.
 */
export function loadModel(source: string | ModelCheckpoint, opts: LoadModelOptions = {}): LoadedModel {
  const checkpoint = typeof source === "string" ? readModelCheckpoint(source) : source;
  const { file, tensors, config: stored } = checkpoint;
  const inputShape = opts.inputShape ?? stored.inputShape;
  if (!inputShape) throw new Error(`loadModel: ${file} does not record the input shape; pass { inputShape }`);
  let model = opts.model;
  if (!model) {
    if (!stored.model || stored.outputs === undefined)
      throw new Error(
        `loadModel: ${file} does not record its model (written by a Trainer run with another config); pass { model, ` +
          `inputShape }`,
      );
    model = buildModel(stored.model, stored.outputs, inputShape, stored);
  }
  const precision = opts.precision ?? precisionOf(stored.dtype ?? "float32");
  const template = model.init(random.randomKey(0), inputShape, precision);
  const best = opts.weights === "final" ? new Map<string, HostTensor>() : unprefixed("best", tensors);
  const weights = best.size ? best : tensors;
  let params: Tree | undefined;
  let modelState: Tree;
  try {
    params = treeFromHost(template.params, unprefixed("params", weights), precision);
    modelState = treeFromHost(template.state, unprefixed("modelState", weights), precision);
  } catch (error) {
    disposeTree(params);
    throw new Error(`loadModel: ${file} does not fit the model: ${(error as Error).message}`, { cause: error });
  } finally {
    disposeTree(template.params);
    disposeTree(template.state);
  }
  const compiled = compilePredict(model);
  return {
    model,
    params: params!,
    modelState,
    precision,
    inputShape,
    weights: best.size ? "best" : "final",
    progress: checkpoint.progress,
    config: stored,
    predict: (x) => compiled.run(params!, modelState, x),
    evaluate: (data) => evaluate(compiled, params!, modelState, data, precision),
    dispose: () => {
      compiled.dispose();
      disposeTree(params!);
      disposeTree(modelState);
    },
  };
}
