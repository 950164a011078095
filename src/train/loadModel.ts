import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { numpy as np } from "@jax-js/jax";
import {
  disposeTree,
  precisionOf,
  random,
  treeFromHost,
  type DTypeName,
  type Precision,
  type Tree,
} from "../engine/index.js";
import type { Dataset } from "../data/dataset.js";
import { readSafetensors } from "../io/safetensors.js";
import { buildModel, type Layer, type ModelName, type ModelOptions } from "../nn/index.js";
import { CHECKPOINT_FORMAT, unprefixed } from "./checkpoint.js";
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
}

/** A trained network ready to predict: parameters and model state (batch-norm running statistics), no optimizer. */
export interface LoadedModel {
  model: Layer;
  params: Tree;
  modelState: Tree;
  precision: Precision;
  inputShape: number[];
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

/**
 * Loads a trained network for prediction from a `descent train --out` directory (or a checkpoint file a
 * Trainer wrote): parameters and model state, without the optimizer. When early stopping kept a best
 * epoch, its weights are the ones loaded, as the Trainer's final evaluation uses them.
 */
export function loadModel(path: string, opts: LoadModelOptions = {}): LoadedModel {
  const file = checkpointFile(path);
  const { tensors, metadata } = readSafetensors(file);
  if (metadata.format !== CHECKPOINT_FORMAT)
    throw new Error(`loadModel: ${file} is not a Descent checkpoint (format "${metadata.format ?? "missing"}")`);
  const stored = (JSON.parse(metadata.config ?? "null") ?? {}) as StoredModelConfig;
  const inputShape = opts.inputShape ?? stored.inputShape;
  if (!inputShape) throw new Error(`loadModel: ${file} does not record the input shape; pass { inputShape }`);
  let model = opts.model;
  if (!model) {
    if (!stored.model || stored.outputs === undefined)
      throw new Error(
        `loadModel: ${file} does not record its model (written by a Trainer run with another config); pass { model, inputShape }`,
      );
    model = buildModel(stored.model, stored.outputs, inputShape, stored);
  }
  const precision = opts.precision ?? precisionOf(stored.dtype ?? "float32");
  const template = model.init(random.randomKey(0), inputShape, precision);
  const best = unprefixed("best", tensors);
  const source = best.size ? best : tensors;
  let params: Tree | undefined;
  let modelState: Tree;
  try {
    params = treeFromHost(template.params, unprefixed("params", source), precision);
    modelState = treeFromHost(template.state, unprefixed("modelState", source), precision);
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
    predict: (x) => compiled.run(params!, modelState, x),
    evaluate: (data) => evaluate(compiled, params!, modelState, data, precision),
    dispose: () => {
      compiled.dispose();
      disposeTree(params!);
      disposeTree(modelState);
    },
  };
}
