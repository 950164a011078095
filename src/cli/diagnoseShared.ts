/**
 * What `descent diagnose` and `descent diagnose --checkpoint` compute alike: the probe batch, ε, the symmetry check.
 */
import { numpy as np } from "@jax-js/jax";
import {
  random,
  toDevice,
  treeFromHost,
  treeToHost,
  type HostTensor,
  type Precision,
  type Tree,
} from "../engine/index.js";
import type { Layer } from "../nn/index.js";
import { hiddenBlocks, modelLoss, weightSpaceSymmetry } from "../curvature/index.js";
import { valueAt, type ScalarOrSchedule } from "../optim/index.js";

/** The probe batch: a fixed random subset of the training set drawn from the seed, the same at every measurement. */
export const probeIndices = (seed: number, examples: number, size: number): Int32Array =>
  random.permutation(random.foldIn(random.randomKey(seed), 0x70726f), examples).subarray(0, Math.min(size, examples));

/** The key of the symmetry check's permutations and factors, from the seed. */
export const symmetryKey = (seed: number) => random.foldIn(random.randomKey(seed), 0x73796d);

/** ε of update `step`; where the schedule has decayed to 0 (cosine's last step), the last positive ε before it. */
export function lastPositiveRate(schedule: ScalarOrSchedule, step: number, precision: Precision): number {
  const at = (s: number) => {
    const v = valueAt(schedule, toDevice([s], [], precision));
    return typeof v === "number" ? v : v.item();
  };
  for (let s = Math.max(step, 1); s >= 1; s--) {
    const value = at(s);
    if (value > 0) return value;
  }
  return at(Math.max(step, 1));
}

/** 8.2.2 on given weights, for MLPs (hidden layers between two linear layers); undefined for other models. */
export function symmetryCheck(
  model: Layer & { layers?: Layer[] },
  params: Tree,
  modelState: Tree,
  probe: { x: np.Array; y: np.Array },
  precision: Precision,
  classification: boolean,
  key: random.Key,
) {
  const host = treeToHost(params);
  if (!model.layers || hiddenBlocks(model, host).length === 0) return undefined;
  const loss = modelLoss(model, classification);
  const lossOf = (p: Map<string, HostTensor>, s: Map<string, HostTensor>) =>
    loss(treeFromHost(params, p, precision), treeFromHost(modelState, s, precision), probe.x.ref, probe.y.ref).item();
  return weightSpaceSymmetry(model, host, treeToHost(modelState), lossOf, key);
}
