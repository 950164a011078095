/**
 * Weight-space symmetry (8.2.2): permuting the hidden units of a layer (columns of its weight and
 * bias, rows of the next layer's weight) leaves the network's function unchanged, so every
 * minimum comes with (n!)^layers equivalent copies; so does scaling a ReLU unit's incoming
 * weights and bias by α and its outgoing weights by 1/α (ReLU is positively homogeneous), and
 * flipping the signs of a tanh unit's weights (tanh is odd). Works on sequential MLPs on the host.
 */
import { random, type HostTensor, type Key } from "../engine/index.js";
import type { Layer } from "../nn/index.js";

/** A hidden layer: linear `layer`, then batch norm / activation layers `between`, read by linear `next`. */
export interface HiddenBlock {
  layer: number;
  between: number[];
  next: number;
  units: number;
  activation: string | undefined;
  batchNorm: boolean;
}

const ELEMENTWISE = new Set(["relu", "tanh", "sigmoid", "softplus", "batchNorm"]);

/** The hidden blocks of a sequential model (linear → elementwise layers → linear). */
export function hiddenBlocks(model: Layer & { layers?: Layer[] }, params: Map<string, HostTensor>): HiddenBlock[] {
  const layers = model.layers;
  if (!layers) throw new Error(`weight-space symmetry needs a sequential model, got "${model.kind}"`);
  const blocks: HiddenBlock[] = [];
  for (let i = 0; i < layers.length; i++) {
    if (layers[i].kind !== "linear") continue;
    let j = i + 1;
    while (j < layers.length && ELEMENTWISE.has(layers[j].kind)) j++;
    if (j >= layers.length || layers[j].kind !== "linear") continue;
    const between = Array.from({ length: j - i - 1 }, (_, k) => i + 1 + k);
    const units = params.get(`${i}.weight`)!.shape[1];
    blocks.push({
      layer: i,
      between,
      next: j,
      units,
      activation: between.map((k) => layers[k].kind).find((k) => k !== "batchNorm"),
      batchNorm: between.some((k) => layers[k].kind === "batchNorm"),
    });
  }
  return blocks;
}

const copy = (m: Map<string, HostTensor>) =>
  new Map([...m].map(([k, v]) => [k, { shape: v.shape.slice(), data: Float64Array.from(v.data) }]));

/** Per-unit edit of a block: unit u's incoming column / bias / BN entries and outgoing row. */
function editUnits(
  params: Map<string, HostTensor>,
  state: Map<string, HostTensor>,
  block: HiddenBlock,
  edit: (values: Float32Array | Float64Array, units: number, role: "in" | "out" | "unit") => void,
): void {
  const { layer, next, units } = block;
  const w = params.get(`${layer}.weight`)!;
  edit(w.data, units, "in");
  const b = params.get(`${layer}.bias`);
  if (b) edit(b.data, units, "unit");
  const perUnit = block.between.flatMap((k) => [
    params.get(`${k}.gamma`),
    params.get(`${k}.beta`),
    state.get(`${k}.mean`),
    state.get(`${k}.variance`),
  ]);
  for (const t of perUnit) if (t) edit(t.data, units, "unit");
  const v = params.get(`${next}.weight`)!;
  edit(v.data, units, "out");
}

/** Permutes the hidden units of each block (perms[i] maps new position → old unit). Returns new maps. */
export function permuteHiddenUnits(
  params: Map<string, HostTensor>,
  state: Map<string, HostTensor>,
  blocks: HiddenBlock[],
  perms: ArrayLike<number>[],
) {
  const [p, s] = [copy(params), copy(state)];
  blocks.forEach((block, bi) => {
    const perm = perms[bi];
    editUnits(p, s, block, (values, units, role) => {
      const old = Float64Array.from(values);
      if (role === "out") {
        const cols = values.length / units;
        for (let u = 0; u < units; u++) for (let c = 0; c < cols; c++) values[u * cols + c] = old[perm[u] * cols + c];
      } else {
        const rows = values.length / units;
        for (let r = 0; r < rows; r++) for (let u = 0; u < units; u++) values[r * units + u] = old[r * units + perm[u]];
      }
    });
  });
  return { params: p, state: s };
}

/**
 * Scales unit u's incoming weights and bias by factors[u] and its outgoing weights by 1/factors[u]. Returns new params.
 */
export function rescaleHiddenUnits(
  params: Map<string, HostTensor>,
  blocks: HiddenBlock[],
  factors: ArrayLike<number>[],
) {
  const p = copy(params);
  const state = new Map<string, HostTensor>();
  blocks.forEach((block, bi) => {
    const a = factors[bi];
    editUnits(p, state, block, (values, units, role) => {
      if (role === "out") {
        const cols = values.length / units;
        for (let u = 0; u < units; u++) for (let c = 0; c < cols; c++) values[u * cols + c] /= a[u];
      } else if (role === "in" || role === "unit") {
        for (let i = 0; i < values.length; i++) values[i] *= a[i % units];
      }
    });
  });
  return p;
}

export interface SymmetryCheck {
  loss: number;
  /** Each transformation tried and the loss after it (with its per-unit factors, for rescalings and sign flips). */
  transformed: { name: string; loss: number; factors?: number[][] }[];
  /** max |loss' − loss| / |loss|. */
  maxRelDiff: number;
  /** The permutation of each hidden block's units (drawn from the key), so the check can be redone outside. */
  permutations: number[][];
}

/**
 * Applies every symmetry that holds for this network (permutation always; ReLU rescaling and tanh
 * sign flips when no batch norm sits in between) with random permutations / factors from `key`,
 * and compares `lossOf` before and after. `lossOf` evaluates host params and state (e.g. on a batch).
 */
export function weightSpaceSymmetry(
  model: Layer & { layers?: Layer[] },
  params: Map<string, HostTensor>,
  state: Map<string, HostTensor>,
  lossOf: (params: Map<string, HostTensor>, state: Map<string, HostTensor>) => number,
  key: Key = random.randomKey(0),
): SymmetryCheck {
  const blocks = hiddenBlocks(model, params);
  if (blocks.length === 0) throw new Error("the model has no hidden layer between two linear layers");
  const loss = lossOf(params, state);
  const transformed: SymmetryCheck["transformed"] = [];
  const perms = blocks.map((b, i) => random.permutation(random.foldIn(key, i), b.units));
  const permuted = permuteHiddenUnits(params, state, blocks, perms);
  transformed.push({ name: "permute hidden units", loss: lossOf(permuted.params, permuted.state) });
  const plain = blocks.filter((b) => !b.batchNorm);
  if (plain.length === blocks.length && blocks.every((b) => b.activation === "relu")) {
    const factors = blocks.map((b, i) => random.uniform(random.foldIn(key, 100 + i), b.units, 0.5, 2));
    transformed.push({
      name: "rescale ReLU units (α, 1/α)",
      loss: lossOf(rescaleHiddenUnits(params, blocks, factors), state),
      factors: factors.map((f) => Array.from(f)),
    });
  }
  if (plain.length === blocks.length && blocks.every((b) => b.activation === "tanh")) {
    const signs = blocks.map((b, i) =>
      random.uniform(random.foldIn(key, 200 + i), b.units).map((u) => (u < 0.5 ? -1 : 1)),
    );
    transformed.push({
      name: "flip signs of tanh units",
      loss: lossOf(rescaleHiddenUnits(params, blocks, signs), state),
      factors: signs.map((f) => Array.from(f)),
    });
  }
  const maxRelDiff = Math.max(
    ...transformed.map((t) => Math.abs(t.loss - loss) / Math.max(Math.abs(loss), Number.MIN_VALUE)),
  );
  return { loss, transformed, maxRelDiff, permutations: perms.map((p) => Array.from(p)) };
}
