import { disposeTree, treeFromHost, treeToHost, type HostTensor, type Precision } from "../engine/index.js";
import { readSafetensors, writeSafetensors } from "../io/safetensors.js";
import { CheckpointError } from "./errors.js";
import type { TrainState } from "./step.js";

/** Where the loop stands, saved beside the tensors so a run resumes exactly. */
export interface Progress {
  step: number;
  epoch: number;
  /** Early-stopping bookkeeping. */
  best?: { value: number; epoch: number; badEpochs: number };
  /** Training time of the whole run so far (every session before this one included). */
  elapsedSeconds?: number;
  /**
   * The running sums of the epoch in progress (an interruption mid-epoch), so its metrics line covers all its steps.
   */
  epochSums?: { loss: number; gradNorm: number; counted: number };
  /** Set when early stopping ended the run: there is nothing left to resume. */
  stoppedEarly?: boolean;
}

const GROUPS = ["params", "modelState", "optState"] as const;
// Groups whose values are model numbers: a NaN there is a corrupted checkpoint, never a valid state.
const FINITE_GROUPS = ["params", "modelState"] as const;
export const CHECKPOINT_FORMAT = "descent-checkpoint/1";

function prefixed(prefix: string, m: Map<string, HostTensor>, into: Map<string, HostTensor>) {
  for (const [k, v] of m) into.set(k ? `${prefix}.${k}` : prefix, v);
}

/** The tensors under `prefix.` (prefix stripped). */
export function unprefixed(prefix: string, m: Map<string, HostTensor>): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  for (const [k, v] of m) {
    if (k === prefix) out.set("", v);
    else if (k.startsWith(`${prefix}.`)) out.set(k.slice(prefix.length + 1), v);
  }
  return out;
}

/**
 * Saves the training state (and optionally the best parameters so far, and a host-side solver's
 * memory) atomically. Borrows the state.
 */
export function saveCheckpoint(
  path: string,
  state: TrainState,
  progress: Progress,
  config: unknown,
  best?: Map<string, HostTensor>,
  solver?: Map<string, HostTensor>,
): void {
  const tensors = new Map<string, HostTensor>();
  for (const g of GROUPS) prefixed(g, treeToHost(state[g]), tensors);
  if (best) prefixed("best", best, tensors);
  if (solver) prefixed("solver", solver, tensors);
  writeSafetensors(path, tensors, {
    format: CHECKPOINT_FORMAT,
    progress: JSON.stringify(progress),
    config: JSON.stringify(config),
  });
}

export interface LoadedCheckpoint {
  state: TrainState;
  progress: Progress;
  config: unknown;
  best?: Map<string, HostTensor>;
  /** A host-side minibatch solver's memory (L-BFGS pairs, CG direction). */
  solver?: Map<string, HostTensor>;
}

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** The progress metadata, checked: non-negative integer step and epoch, the rest of the right types. */
function parseProgress(path: string, text: string | undefined): Progress {
  let progress: Partial<Progress>;
  try {
    progress = JSON.parse(text ?? "");
  } catch {
    throw new CheckpointError(
      `checkpoint ${path}: its progress metadata is ${text === undefined ? "missing" : "not valid JSON"}`,
    );
  }
  if (typeof progress !== "object" || progress === null || !isCount(progress.step) || !isCount(progress.epoch)) {
    throw new CheckpointError(
      `checkpoint ${path}: its progress metadata ${JSON.stringify(progress)} needs a non-negative integer "step" and ` +
        `"epoch"`,
    );
  }
  if (
    progress.elapsedSeconds !== undefined &&
    !(typeof progress.elapsedSeconds === "number" && progress.elapsedSeconds >= 0)
  ) {
    throw new CheckpointError(
      `checkpoint ${path}: its progress metadata has elapsedSeconds ${JSON.stringify(progress.elapsedSeconds)}, not ` +
        `a non-negative number`,
    );
  }
  return progress as Progress;
}

/** Reads and checks a checkpoint's metadata only (no engine needed): format, progress and stored config. */
export function readCheckpointInfo(path: string): {
  progress: Progress;
  config: unknown;
  tensors: Map<string, HostTensor>;
} {
  let file;
  try {
    file = readSafetensors(path);
  } catch (error) {
    throw new CheckpointError((error as Error).message);
  }
  const { tensors, metadata } = file;
  if (metadata.format !== CHECKPOINT_FORMAT)
    throw new CheckpointError(
      `${path} is not a Descent checkpoint (format tag ${JSON.stringify(metadata.format ?? null)}, expected "` +
        `${CHECKPOINT_FORMAT}")`,
    );
  let config: unknown;
  try {
    config = JSON.parse(metadata.config ?? "null");
  } catch {
    throw new CheckpointError(`checkpoint ${path}: its config metadata is not valid JSON`);
  }
  return { progress: parseProgress(path, metadata.progress), config, tensors };
}

function assertFiniteTensors(path: string, tensors: Map<string, HostTensor>): void {
  for (const [name, t] of tensors) {
    if (!FINITE_GROUPS.some((g) => name.startsWith(`${g}.`) || name === g)) continue;
    const i = t.data.findIndex((v) => !Number.isFinite(v));
    if (i >= 0)
      throw new CheckpointError(
        `checkpoint ${path}: tensor "${name}" holds ${t.data[i]} at index ${i}; it cannot be resumed`,
      );
  }
}

/** Loads a checkpoint into trees shaped like `template` (a freshly initialized state, which is consumed). */
export function loadCheckpoint(path: string, template: TrainState, precision: Precision): LoadedCheckpoint {
  let info;
  try {
    info = readCheckpointInfo(path);
    assertFiniteTensors(path, info.tensors);
  } catch (error) {
    for (const g of GROUPS) disposeTree(template[g]);
    throw error;
  }
  const { tensors, progress, config } = info;
  const state = {} as TrainState;
  let group = "";
  try {
    for (const g of GROUPS) state[(group = g)] = treeFromHost(template[g], unprefixed(g, tensors), precision);
  } catch (error) {
    for (const g of GROUPS) if (state[g]) disposeTree(state[g]);
    throw new CheckpointError(
      `checkpoint ${path} does not fit this model: ` +
        `${(error as Error).message.replace(/tensor "/, `tensor "${group}.`)}`,
    );
  } finally {
    for (const g of GROUPS) disposeTree(template[g]);
  }
  const best = unprefixed("best", tensors);
  const solver = unprefixed("solver", tensors);
  return { state, progress, config, best: best.size ? best : undefined, solver: solver.size ? solver : undefined };
}
