/**
 * The data-driven initialization heuristics of section 8.4: rescale each layer so that its
 * activations have unit standard deviation on a minibatch (Mishkin & Matas 2015, "LSUV"), and set
 * the output biases so the initial softmax reproduces the marginal class frequencies.
 *
 * Ownership: both functions *borrow* their params, state and inputs and return a new params tree
 * whose untouched leaves are new references to the same arrays (dispose it and the original).
 */
import { numpy as np } from "@jax-js/jax";
import { disposeTree, refTree, toDevice, type Precision, type Tree } from "../engine/index.js";
import type { ApplyContext, Layer } from "./layer.js";

/** Layers whose output is positively homogeneous in (weight, bias): scaling both by c scales the output by c. */
const SCALABLE_KINDS = new Set(["linear", "conv2d", "maxout"]);

type Sequential = Layer & { layers: Layer[] };
const isSequential = (layer: Layer): layer is Sequential => Array.isArray((layer as Partial<Sequential>).layers);

type WeightParams = { weight: np.Array; bias?: np.Array };
const hasWeight = (params: Tree): params is WeightParams =>
  !(params instanceof np.Array) &&
  !Array.isArray(params) &&
  (params as Record<string, Tree>).weight instanceof np.Array;

/** Population standard deviation of every element of `a` (consumed), in float64 on the host. */
function hostStd(a: np.Array): number {
  const data = a.dataSync();
  let mean = 0;
  for (let i = 0; i < data.length; i++) mean += data[i];
  mean /= data.length;
  let variance = 0;
  for (let i = 0; i < data.length; i++) variance += (data[i] - mean) ** 2;
  return Math.sqrt(variance / data.length);
}

export interface ScaleOptions {
  /** Mode of the forward passes (batch norm: batch statistics when true). Default true; state is never updated. */
  train?: boolean;
  /** Called with each rescaled layer's path ("3", "1.0") and the std its output had before. */
  onLayer?: (path: string, std: number) => void;
}

/**
 * Data-driven initialization (8.4; Mishkin & Matas): walks a `sequential` model (recursing into
 * nested ones) layer by layer on the minibatch `xBatch`; each linear, conv2d or maxout layer gets
 * its weight and bias divided by the standard deviation of its output (over every element of the
 * batch), computed with the earlier layers already rescaled, so that output has standard
 * deviation 1. Other layers (activations, batch norm, rnn, residual blocks) are applied unchanged.
 *
 * Borrows params, state and xBatch; returns new params (untouched leaves by new reference).
 * `precision` must be the params' precision: the scale factors are made in it.
 */
export function scaleToUnitActivations(
  model: Layer,
  params: Tree,
  state: Tree,
  xBatch: np.Array,
  precision: Precision,
  opts: ScaleOptions = {},
): Tree {
  const ctx: ApplyContext = { train: opts.train ?? true };
  const { params: scaled, h } = scaleLayer(model, params, state, xBatch.ref, "", precision, ctx, opts.onLayer);
  h.dispose();
  return scaled;
}

// Consumes h; borrows params and state; returns the new params and the layer's output.
function scaleLayer(
  layer: Layer,
  params: Tree,
  state: Tree,
  h: np.Array,
  path: string,
  precision: Precision,
  ctx: ApplyContext,
  onLayer: ScaleOptions["onLayer"],
): { params: Tree; h: np.Array } {
  if (isSequential(layer)) {
    const ps = params as Tree[];
    const ss = state as Tree[];
    const out: Tree[] = [];
    layer.layers.forEach((inner, i) => {
      const r = scaleLayer(inner, ps[i], ss[i], h, path ? `${path}.${i}` : String(i), precision, ctx, onLayer);
      out.push(r.params);
      h = r.h;
    });
    return { params: out, h };
  }
  const apply = (p: Tree, x: np.Array) => {
    const [y, s] = layer.apply(p, refTree(state), x, ctx);
    disposeTree(s);
    return y;
  };
  if (!SCALABLE_KINDS.has(layer.kind) || !hasWeight(params))
    return { params: refTree(params), h: apply(refTree(params), h) };
  if (params.weight.dtype !== precision.dtype) {
    h.dispose();
    throw new Error(
      `scaleToUnitActivations: layer ${path || layer.kind} has ${params.weight.dtype} weights but precision ` +
        `${precision.dtype} was given`,
    );
  }
  const std = hostStd(apply(refTree(params), h.ref));
  if (!(std > 0) || !Number.isFinite(std)) {
    h.dispose();
    throw new Error(
      `scaleToUnitActivations: layer ${path || layer.kind} (${layer.kind}) has output standard deviation ${std} on ` +
        `this batch; cannot rescale it`,
    );
  }
  onLayer?.(path, std);
  const scale = toDevice([1 / std], [], precision);
  const scaled = replaceLeaves(params, {
    weight: params.weight.ref.mul(scale.ref),
    ...(params.bias ? { bias: params.bias.ref.mul(scale.ref) } : {}),
  });
  scale.dispose();
  return { params: scaled, h: apply(refTree(scaled), h) };
}

/**
 * Output biases that make the initial softmax equal the marginal class frequencies (8.4):
 * b_k = log((count_k + smoothing) / (N + smoothing·K)). The smoothing (default 0.5, the
 * Krichevsky–Trofimov/Jeffreys prior) keeps classes absent from `labels` finite.
 */
export function outputBiasFromTargets(labels: ArrayLike<number>, numClasses: number, smoothing = 0.5): Float64Array {
  if (!Number.isInteger(numClasses) || numClasses < 1)
    throw new Error(`numClasses must be a positive integer, got ${numClasses}`);
  if (!(smoothing >= 0)) throw new Error(`smoothing must be >= 0, got ${smoothing}`);
  const counts = new Float64Array(numClasses);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= numClasses)
      throw new Error(`label ${y} at index ${i} is not a class in [0, ${numClasses})`);
    counts[y]++;
  }
  const total = labels.length + smoothing * numClasses;
  if (total === 0) throw new Error("outputBiasFromTargets needs labels (or smoothing > 0)");
  return counts.map((c) => Math.log((c + smoothing) / total));
}

/**
 * Replaces the bias of the model's last layer (recursing into a trailing nested sequential) with
 * `bias`, in the old bias's dtype and device. Borrows params; returns new params.
 */
export function setOutputBias(model: Layer, params: Tree, bias: ArrayLike<number>): Tree {
  if (isSequential(model)) {
    const ps = params as Tree[];
    const last = model.layers.length - 1;
    if (last < 0) throw new Error("setOutputBias: the model has no layers");
    return ps.map((p, i) => (i === last ? setOutputBias(model.layers[last], p, bias) : refTree(p)));
  }
  const old = hasWeight(params) ? params.bias : undefined;
  if (!old) throw new Error(`setOutputBias: the last layer (${model.kind}) has no bias`);
  if (old.size !== bias.length)
    throw new Error(`setOutputBias: the last layer has ${old.size} biases but ${bias.length} values were given`);
  const data = old.dtype === np.float64 ? Float64Array.from(bias) : Float32Array.from(bias);
  const fresh = np.array(data, { dtype: old.dtype, device: old.device }).reshape(old.shape);
  return replaceLeaves(params, { bias: fresh });
}

/** A copy of a layer's params object with some entries replaced (taken) and the rest by new reference. */
function replaceLeaves(params: Tree, replaced: Record<string, np.Array>): Tree {
  const out: Record<string, Tree> = {};
  for (const [k, v] of Object.entries(params as Record<string, Tree>)) out[k] = replaced[k] ?? refTree(v);
  return out;
}
