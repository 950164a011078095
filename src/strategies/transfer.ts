/**
 * Starting a network from another one's weights: the Trainer's `initialize` hooks that copy chosen
 * leaves from host tensors (a previous stage of greedy pretraining), or the first k layers of a
 * trained network read from a checkpoint (transfer, 8.7.4 and chapter 15).
 */
import { readSafetensors } from "../io/safetensors.js";
import {
  leavesWithPaths,
  mapWithPaths,
  toDevice,
  treeToHost,
  type HostTensor,
  type Precision,
  type Tree,
} from "../engine/index.js";

export type InitializeHook = (params: Tree, modelState: Tree) => Tree;

/**
 * Copies every leaf of `source` whose path `take` accepts into the fresh
 * params (same paths, same shapes); the rest keep their fresh values.
 */
export function copyLeaves(
  source: Map<string, HostTensor>,
  precision: Precision,
  take: (path: string) => boolean = () => true,
): InitializeHook {
  return (params) =>
    mapWithPaths(params, (path, leaf) => {
      const host = take(path) ? source.get(path) : undefined;
      if (!host) return leaf.ref;
      if (host.shape.join(",") !== leaf.shape.join(","))
        throw new Error(`cannot copy "${path}": the source has shape [${host.shape}], the network [${leaf.shape}]`);
      return toDevice(host.data, host.shape, precision);
    });
}

/** Host copies of a tree's leaves (borrowed), to carry weights from one stage's network to the next. */
export const hostLeaves = (params: Tree): Map<string, HostTensor> => treeToHost(params);

// Compare dotted paths segment by segment, numbers numerically ("hidden.2" before "hidden.10").
function naturalCompare(a: string, b: string): number {
  const as = a.split(".");
  const bs = b.split(".");
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    if (as[i] === bs[i]) continue;
    const [na, nb] = [Number(as[i]), Number(bs[i])];
    return Number.isInteger(na) && Number.isInteger(nb) ? na - nb : as[i] < bs[i] ? -1 : 1;
  }
  return as.length - bs.length;
}

/**
 * The weight-bearing layers of a set of leaf paths, in network
 * order: the parents of "…weight" leaves, auxiliary heads excluded.
 */
export function layerPaths(paths: string[]): string[] {
  const parents = paths
    .filter((p) => p === "weight" || p.endsWith(".weight"))
    .map((p) => p.slice(0, Math.max(0, p.length - ".weight".length)));
  return parents.filter((p) => !p.split(".").includes("heads")).sort(naturalCompare);
}

/**
 * Transfer: the first `layers` weight-bearing layers of the network saved at `checkpointPath` (a
 * Descent checkpoint, or a safetensors file of parameters) initialize the first `layers` layers of
 * the new network, matched in order; the rest keep their fresh initialization.
 */
export function transferFromCheckpoint(checkpointPath: string, layers: number, precision: Precision): InitializeHook {
  const { tensors } = readSafetensors(checkpointPath);
  const isCheckpoint = [...tensors.keys()].some((k) => k.startsWith("params."));
  const source = new Map<string, HostTensor>();
  for (const [k, v] of tensors)
    if (!isCheckpoint || k.startsWith("params.")) source.set(isCheckpoint ? k.slice("params.".length) : k, v);
  const sourceLayers = layerPaths([...source.keys()]);
  if (!(Number.isInteger(layers) && layers >= 1))
    throw new Error(`transfer: the number of layers must be a positive integer, got ${layers}`);
  if (layers > sourceLayers.length)
    throw new Error(
      `transfer: ${checkpointPath} has ${sourceLayers.length} layers, fewer than the ${layers} asked for`,
    );
  return (params, modelState) => {
    const targetLayers = layerPaths(leavesWithPaths(params).map((l) => l.path));
    if (layers > targetLayers.length)
      throw new Error(`transfer: the network has ${targetLayers.length} layers, fewer than the ${layers} asked for`);
    const renamed = new Map<string, HostTensor>();
    for (let i = 0; i < layers; i++) {
      const [from, to] = [sourceLayers[i], targetLayers[i]];
      for (const [k, v] of source) {
        if (from === "" ? k.includes(".") : !k.startsWith(`${from}.`)) continue;
        const leaf = from === "" ? k : k.slice(from.length + 1);
        renamed.set(to === "" ? leaf : `${to}.${leaf}`, v);
      }
    }
    return copyLeaves(renamed, precision, (path) => renamed.has(path))(params, modelState);
  };
}
