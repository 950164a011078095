import { disposeTree, treeFromHost, treeToHost, type HostTensor, type Precision } from "../engine/index.js";
import { readSafetensors, writeSafetensors } from "../io/safetensors.js";
import type { TrainState } from "./step.js";

/** Where the loop stands, saved beside the tensors so a run resumes exactly. */
export interface Progress {
  step: number;
  epoch: number;
  /** Early-stopping bookkeeping. */
  best?: { value: number; epoch: number; badEpochs: number };
}

const GROUPS = ["params", "modelState", "optState"] as const;
const FORMAT = "descent-checkpoint/1";

function prefixed(prefix: string, m: Map<string, HostTensor>, into: Map<string, HostTensor>) {
  for (const [k, v] of m) into.set(k ? `${prefix}.${k}` : prefix, v);
}

function unprefixed(prefix: string, m: Map<string, HostTensor>): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  for (const [k, v] of m) {
    if (k === prefix) out.set("", v);
    else if (k.startsWith(`${prefix}.`)) out.set(k.slice(prefix.length + 1), v);
  }
  return out;
}

/** Saves the training state (and optionally the best parameters so far) atomically. Borrows the state. */
export function saveCheckpoint(path: string, state: TrainState, progress: Progress, config: unknown, best?: Map<string, HostTensor>): void {
  const tensors = new Map<string, HostTensor>();
  for (const g of GROUPS) prefixed(g, treeToHost(state[g]), tensors);
  if (best) prefixed("best", best, tensors);
  writeSafetensors(path, tensors, { format: FORMAT, progress: JSON.stringify(progress), config: JSON.stringify(config) });
}

export interface LoadedCheckpoint {
  state: TrainState;
  progress: Progress;
  config: unknown;
  best?: Map<string, HostTensor>;
}

/** Loads a checkpoint into trees shaped like `template` (a freshly initialized state, which is consumed). */
export function loadCheckpoint(path: string, template: TrainState, precision: Precision): LoadedCheckpoint {
  const { tensors, metadata } = readSafetensors(path);
  if (metadata.format !== FORMAT) throw new Error(`${path} is not a Descent checkpoint (format "${metadata.format ?? "missing"}")`);
  const state = {} as TrainState;
  try {
    for (const g of GROUPS) state[g] = treeFromHost(template[g], unprefixed(g, tensors), precision);
  } catch (error) {
    throw new Error(`checkpoint ${path} does not fit this model: ${(error as Error).message}`);
  } finally {
    for (const g of GROUPS) disposeTree(template[g]);
  }
  const best = unprefixed("best", tensors);
  return { state, progress: JSON.parse(metadata.progress), config: JSON.parse(metadata.config ?? "null"), best: best.size ? best : undefined };
}

/**
 * The parameters and model state of a checkpoint (for evaluating a trained model without its
 * optimizer), in trees shaped like `template` (consumed), with where the run stood and its settings.
 */
export function loadTrainedModel(path: string, template: { params: TrainState["params"]; modelState: TrainState["modelState"] }, precision: Precision): { params: TrainState["params"]; modelState: TrainState["modelState"]; progress: Progress; config: unknown } {
  const { tensors, metadata } = readSafetensors(path);
  if (metadata.format !== FORMAT) throw new Error(`${path} is not a Descent checkpoint (format "${metadata.format ?? "missing"}")`);
  let params: TrainState["params"] | undefined;
  try {
    params = treeFromHost(template.params, unprefixed("params", tensors), precision);
    const modelState = treeFromHost(template.modelState, unprefixed("modelState", tensors), precision);
    return { params, modelState, progress: JSON.parse(metadata.progress), config: JSON.parse(metadata.config ?? "null") };
  } catch (error) {
    if (params) disposeTree(params);
    throw new Error(`checkpoint ${path} does not fit this model: ${(error as Error).message}`);
  } finally {
    disposeTree([template.params, template.modelState]);
  }
}
