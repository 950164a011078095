/**
 * A network's loss on the plane θ* + a·d₁ + b·d₂ without repeating the first layer's matmul at every point.
 * The first parametrized layer of a sequential model, when it is affine in its parameters jointly (linear:
 * xW + c, conv2d), outputs z₀ + a·z₁ + b·z₂ on the plane, with z₀, z₁, z₂ that layer applied to θ*, d₁, d₂:
 * computed once, they make each point cost only the later layers (for the digits MLP 784-256-256-10, a
 * quarter of the work).
 */
import { jit, type numpy as np } from "@jax-js/jax";
import type { TreeLoss } from "../curvature/index.js";
import {
  disposeTree,
  leavesWithPaths,
  mapWithPaths,
  refTree,
  toDevice,
  type Precision,
  type Tree,
} from "../engine/index.js";
import { sequential, trainingLoss, type Layer } from "../nn/index.js";

/**
 * The losses at base + a·d₁ + b·d₂ for each (a, b) of `coefficients`: one compiled call per point, the
 * shift done inside it. (Vmapping over points batches the weights too, and jax-js's dot, a multiply and a
 * reduction, then materializes [points, batch, in, out]: measured 100× slower than this loop.)
 */
export function lossOnPlane(
  loss: TreeLoss,
  base: Tree,
  d1: Tree,
  d2: Tree,
  data: Tree[],
  coefficients: [number, number][],
  precision: Precision,
): Float64Array {
  const shifted = jit((ab: np.Array, p: Tree, u: Tree, v: Tree, ...batch: Tree[]) => {
    const us = new Map(leavesWithPaths(u).map(({ path, leaf }) => [path, leaf]));
    const vs = new Map(leavesWithPaths(v).map(({ path, leaf }) => [path, leaf]));
    const a = ab.ref.slice(0);
    const b = ab.slice(1);
    const point = mapWithPaths(p, (path, leaf) => leaf.add(us.get(path)!.mul(a.ref)).add(vs.get(path)!.mul(b.ref)));
    a.dispose();
    b.dispose();
    return loss(point, ...batch);
  });
  const out = new Float64Array(coefficients.length);
  try {
    coefficients.forEach((ab, i) => {
      const args = [base, d1, d2, ...data].map((t) => jaxTreeRef(t)) as [Tree, Tree, Tree];
      out[i] = shifted(toDevice(ab, [2], precision), ...args).item();
    });
  } finally {
    shifted.dispose();
  }
  return out;
}

const jaxTreeRef = <T extends Tree>(t: T): T => mapWithPaths(t, (_, leaf) => leaf.ref);

const AFFINE_IN_PARAMETERS = new Set(["linear", "conv2d"]);

/** The first parametrized layer's index when the fast path applies (layers before it parameter- and state-free). */
function affineLayerIndex(model: Layer, params: Tree[], state: Tree[]): number | undefined {
  const layers = (model as Layer & { layers?: Layer[] }).layers;
  if (!layers || !Array.isArray(params) || !Array.isArray(state)) return undefined;
  const first = params.findIndex((p) => leavesWithPaths(p).length > 0);
  if (first < 0 || first === layers.length - 1 || !AFFINE_IN_PARAMETERS.has(layers[first].kind)) return undefined;
  return state.slice(0, first + 1).every((s) => leavesWithPaths(s).length === 0) ? first : undefined;
}

/**
 * The losses at base + a·d₁ + b·d₂ for each (a, b), as `lossOnPlane(modelLoss(model), …)` computes them (same
 * training-mode loss), or undefined when the model has no affine first layer to factor out. Borrows everything.
 */
export function sequentialLossOnPlane(
  model: Layer,
  classification: boolean,
  trees: { base: Tree; d1: Tree; d2: Tree; modelState: Tree },
  batch: { x: np.Array; y: np.Array },
  coefficients: [number, number][],
  precision: Precision,
): Float64Array | undefined {
  const [base, d1, d2, state] = [trees.base, trees.d1, trees.d2, trees.modelState] as Tree[][];
  const k = affineLayerIndex(model, base, state);
  if (k === undefined) return undefined;
  const layers = (model as Layer & { layers: Layer[] }).layers;
  const ctx = { train: true };
  let input = batch.x.ref;
  for (let i = 0; i < k; i++) [input] = layers[i].apply({}, {}, input, ctx);
  const firstOutput = (p: Tree[]) => layers[k].apply(refTree(p[k]), {}, input.ref, ctx)[0];
  const z = [firstOutput(base), firstOutput(d1), firstOutput(d2)];
  input.dispose();
  // The first layer's output joins the later layers' parameters as one more leaf shifted along the plane.
  const rest = (p: Tree[], zi: np.Array) => ({ z: zi, later: p.slice(k + 1).map((t) => refTree(t)) });
  const planes = [rest(base, z[0]), rest(d1, z[1]), rest(d2, z[2])];
  const later = trainingLoss(sequential(...layers.slice(k + 1)), classification ? "cross-entropy" : "mse");
  const laterState = state.slice(k + 1);
  try {
    return lossOnPlane(
      (point, s, y) => {
        const p = point as { z: np.Array; later: Tree[] };
        const [value, newState] = later(p.later, s, p.z, y as np.Array);
        disposeTree(newState);
        return value;
      },
      planes[0],
      planes[1],
      planes[2],
      [laterState, batch.y],
      coefficients,
      precision,
    );
  } finally {
    for (const t of planes) disposeTree(t);
  }
}
