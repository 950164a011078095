/**
 * Loss landscapes of a real network (Li et al. 2018, "Visualizing the Loss Landscape of Neural Nets"):
 * the loss along the segment between two parameter vectors (Goodfellow et al. 2015's 1-D interpolation),
 * and a 2-D slice θ* + αd₁ + βd₂, with the training trajectory projected onto d₁, d₂: either the top two
 * principal directions of the trajectory (Li et al. §7, the default with a trajectory) or random directions
 * rescaled filter by filter to the norms of the weights. Each evaluation is one compiled call on a fixed
 * batch of examples (the parameters shifted inside it).
 */
import type { numpy as np } from "@jax-js/jax";
import {
  disposeTree,
  random,
  treeFromHost,
  type HostTensor,
  type Key,
  type Precision,
  type Tree,
} from "../engine/index.js";
import type { TopLevelSpec } from "vega-lite";
import { modelLoss } from "../curvature/index.js";
import type { Layer } from "../nn/index.js";
import { panels, xyChartSpec } from "./charts.js";
import { contourLevels, contourLines } from "./contours.js";
import { contourPlotSpec } from "./landscape.js";
import { lossOnPlane, sequentialLossOnPlane } from "./planeLoss.js";
import { trajectoryPca } from "./trajectoryPca.js";

export { lossOnPlane } from "./planeLoss.js";

/**
 * A random direction shaped like `params`, filter-normalized: each filter (the slice of a weight along
 * its last axis: a unit's incoming weights, a conv output channel) is rescaled to the norm of the same
 * filter of the weights. One-dimensional leaves (biases, batch-norm scales and shifts) get 0, as in Li et al.
 */
export function filterNormalizedDirection(params: Map<string, HostTensor>, key: Key): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  let k = 0;
  for (const [path, { shape, data }] of params) {
    const size = data.length;
    if (shape.length < 2) {
      out.set(path, { shape, data: new Float64Array(size) });
      continue;
    }
    const d = random.normal(random.foldIn(key, k++), size);
    const filters = shape[shape.length - 1];
    for (let f = 0; f < filters; f++) {
      let dNorm = 0;
      let wNorm = 0;
      for (let i = f; i < size; i += filters) (dNorm += d[i] * d[i]), (wNorm += data[i] * data[i]);
      const scale = dNorm > 0 ? Math.sqrt(wNorm / dNorm) : 0;
      for (let i = f; i < size; i += filters) d[i] *= scale;
    }
    out.set(path, { shape, data: Float64Array.from(d) });
  }
  return out;
}

/** Host difference b − a of two parameter maps (same paths and shapes). */
export function subtract(a: Map<string, HostTensor>, b: Map<string, HostTensor>): Map<string, HostTensor> {
  return new Map(
    [...a].map(([path, t]) => [
      path,
      { shape: t.shape, data: Float64Array.from(b.get(path)!.data, (v, i) => v - t.data[i]) },
    ]),
  );
}

const flat = (m: Map<string, HostTensor>) => Float64Array.from([...m.values()].flatMap((t) => Array.from(t.data)));

/** A flat vector cut back into the paths and shapes of `like` (the inverse of `flat`). */
function unflat(v: Float64Array, like: Map<string, HostTensor>): Map<string, HostTensor> {
  let offset = 0;
  return new Map(
    [...like].map(([path, t]) => {
      offset += t.data.length;
      return [path, { shape: t.shape, data: v.slice(offset - t.data.length, offset) }];
    }),
  );
}

/** How the slice's directions are chosen: the trajectory's principal components, or filter-normalized Gaussians. */
export type SliceDirections = "pca" | "random";

interface Plane {
  d1: Map<string, HostTensor>;
  d2: Map<string, HostTensor>;
  /** The snapshots and θ* (last, at the origin) in (α, β). */
  trajectory: [number, number][];
  box: { alphas: [number, number]; betas: [number, number] };
  explained?: [number, number];
}

/** PCA directions (unit vectors); the box covers the projected trajectory with a 20 % margin on each side. */
function pcaPlane(snapshots: Map<string, HostTensor>[], to: Map<string, HostTensor>): Plane {
  const final = flat(to);
  // θ* itself (the last epoch's snapshot) is the origin of the rows θ_i − θ*, not one of them.
  const others = snapshots.map(flat).filter((s) => s.some((v, j) => v !== final[j]));
  const pca = trajectoryPca(others, final);
  const range = (k: 0 | 1): [number, number] => {
    const values = pca.coordinates.map((c) => c[k]);
    const [lo, hi] = [Math.min(...values), Math.max(...values)];
    const margin = 0.2 * (hi - lo || 1);
    return [lo - margin, hi + margin];
  };
  return {
    d1: unflat(pca.directions[0], to),
    d2: unflat(pca.directions[1], to),
    trajectory: pca.coordinates,
    box: { alphas: range(0), betas: range(1) },
    explained: pca.explained,
  };
}

/** Filter-normalized random directions over [−span, span]²; the trajectory projected by least squares. */
function randomPlane(snapshots: Map<string, HostTensor>[], to: Map<string, HostTensor>, key: Key, span: number): Plane {
  const d1 = filterNormalizedDirection(to, random.foldIn(key, 1));
  const d2 = filterNormalizedDirection(to, random.foldIn(key, 2));
  return {
    d1,
    d2,
    trajectory: projectTrajectory([...snapshots, to], to, d1, d2),
    box: { alphas: [-span, span], betas: [-span, span] },
  };
}

/**
 * Coordinates (α, β) of each snapshot θ_k − θ* in the plane of d₁, d₂ (least squares: the directions are
 * not orthogonal in general, so the 2×2 normal equations are solved rather than dot products taken).
 */
export function projectTrajectory(
  snapshots: Map<string, HostTensor>[],
  center: Map<string, HostTensor>,
  d1: Map<string, HostTensor>,
  d2: Map<string, HostTensor>,
): [number, number][] {
  const [c, u, v] = [flat(center), flat(d1), flat(d2)];
  const dot = (x: Float64Array, y: Float64Array) => x.reduce((s, xi, i) => s + xi * y[i], 0);
  const [uu, uv, vv] = [dot(u, u), dot(u, v), dot(v, v)];
  const det = uu * vv - uv * uv;
  return snapshots.map((s) => {
    const delta = flat(s).map((x, i) => x - c[i]);
    const [pu, pv] = [dot(delta, u), dot(delta, v)];
    return [(vv * pu - uv * pv) / det, (uu * pv - uv * pu) / det];
  });
}

export interface NetworkLandscape {
  /** Loss along θ(t) = θ_a + t(θ_b − θ_a). */
  interpolation: { t: number; loss: number }[];
  /** The 2-D slice through θ* = θ_b: α, β grid and losses (row-major, β rows). */
  slice: { alphas: number[]; betas: number[]; losses: Float64Array };
  /** The loss at θ* (α = β = 0). */
  lossAtCenter: number;
  /** The snapshots projected onto (d₁, d₂), ending at θ* (0, 0). */
  trajectory: [number, number][];
  directions: SliceDirections;
  /** With PCA directions: the share of the trajectory's variance along d₁ and d₂. */
  explained?: [number, number];
  seconds: { interpolation: number; slice: number };
  /** CPU seconds of the slice (this process): the wall time it would take on an otherwise idle core. */
  sliceCpuSeconds: number;
  /** Whether the first layer's matmul was done once (planeLoss.ts) rather than at every point. */
  firstLayerFactored: boolean;
}

/**
 * The 1-D interpolation from `from` to `to` and the 2-D slice through `to` (n × n points), with `snapshots`
 * projected on the slice's directions. Random directions span [−span, span]²; PCA directions (which need
 * three snapshots besides `to`) span the projected trajectory.
 */
export function networkLandscape(opts: {
  model: Layer;
  classification: boolean;
  template: Tree;
  from: Map<string, HostTensor>;
  to: Map<string, HostTensor>;
  snapshots: Map<string, HostTensor>[];
  modelState: Tree;
  batch: { x: np.Array; y: np.Array };
  precision: Precision;
  n?: number;
  span?: number;
  interpolationPoints?: number;
  key?: Key;
  directions?: SliceDirections;
}): NetworkLandscape {
  const { model, classification, template, precision, modelState, batch } = opts;
  const loss = modelLoss(model, classification);
  // The first layer factored out where the model allows it (planeLoss.ts), the plain loop otherwise.
  let factored = true;
  const onPlane = (base: Tree, d1: Tree, d2: Tree, coefficients: [number, number][]) => {
    const fast = sequentialLossOnPlane(
      model,
      classification,
      { base, d1, d2, modelState },
      batch,
      coefficients,
      precision,
    );
    if (fast) return fast;
    factored = false;
    return lossOnPlane(loss, base, d1, d2, [modelState, batch.x, batch.y], coefficients, precision);
  };
  const n = opts.n ?? 41;
  const span = opts.span ?? 1;
  const device = (m: Map<string, HostTensor>) => treeFromHost(template, m, precision);
  const zero = new Map([...opts.to].map(([p, t]) => [p, { shape: t.shape, data: new Float64Array(t.data.length) }]));
  const directions = opts.directions ?? "random";
  const plane =
    directions === "pca"
      ? pcaPlane(opts.snapshots, opts.to)
      : randomPlane(opts.snapshots, opts.to, opts.key ?? random.randomKey(0), span);
  const trees = {
    from: device(opts.from),
    to: device(opts.to),
    along: device(subtract(opts.from, opts.to)),
    zero: device(zero),
    d1: device(plane.d1),
    d2: device(plane.d2),
  };
  try {
    let started = performance.now();
    const points = opts.interpolationPoints ?? 41;
    // t from −0.25 to 1.25: a little beyond both ends, as in Goodfellow et al. (2015).
    const ts = Array.from({ length: points }, (_, i) => -0.25 + (1.5 * i) / (points - 1));
    const lineLosses = onPlane(
      trees.from,
      trees.along,
      trees.zero,
      ts.map((t) => [t, 0]),
    );
    const interpolationSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const cpu = process.cpuUsage();
    const axis = ([lo, hi]: [number, number]) => Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
    const [alphas, betas] = [axis(plane.box.alphas), axis(plane.box.betas)];
    const grid = betas.flatMap((b) => alphas.map((a): [number, number] => [a, b]));
    // θ* itself last: on a PCA box it is not a grid point.
    const losses = onPlane(trees.to, trees.d1, trees.d2, [...grid, [0, 0]]);
    const sliceSeconds = (performance.now() - started) / 1000;
    const { user, system } = process.cpuUsage(cpu);
    return {
      interpolation: ts.map((t, i) => ({ t, loss: lineLosses[i] })),
      slice: { alphas, betas, losses: losses.subarray(0, grid.length) },
      lossAtCenter: losses[grid.length],
      trajectory: plane.trajectory,
      directions,
      explained: plane.explained,
      seconds: { interpolation: interpolationSeconds, slice: sliceSeconds },
      sliceCpuSeconds: (user + system) / 1e6,
      firstLayerFactored: factored,
    };
  } finally {
    for (const t of Object.values(trees)) disposeTree(t);
  }
}

/** The figure: loss along the interpolation beside the 2-D slice's contours with the projected trajectory. */
export function networkLandscapeSpec(
  title: string,
  l: NetworkLandscape,
  caption: string,
  labels: { from: string; to: string },
): TopLevelSpec {
  const box = {
    x: [l.slice.alphas[0], l.slice.alphas[l.slice.alphas.length - 1]] as [number, number],
    y: [l.slice.betas[0], l.slice.betas[l.slice.betas.length - 1]] as [number, number],
  };
  const percent = (k: 0 | 1) => (l.explained ? `, ${(100 * l.explained[k]).toPrecision(3)} % of the variance` : "");
  const grid = { xs: l.slice.alphas, ys: l.slice.betas, values: l.slice.losses };
  const contours = contourLevels(grid.values, 16, true).flatMap((level) => contourLines(grid, level));
  const rows = l.interpolation.map((p) => ({ t: p.t, "training loss": p.loss }));
  return panels(
    title,
    [
      xyChartSpec(`Loss along (1 − t)·${labels.from} + t·${labels.to}`, rows, "t", ["training loss"], {
        xTitle: `t (0: ${labels.from}, 1: ${labels.to})`,
        yTitle: "loss (log scale)",
        logY: rows.every((r) => r["training loss"] > 0),
        width: 320,
        height: 300,
      }),
      contourPlotSpec(
        `2-D slice θ* + αd₁ + βd₂ (${l.directions === "pca" ? "PCA of the trajectory" : "filter-normalized"})`,
        box,
        contours,
        [{ label: "training trajectory, projected", path: l.trajectory }],
        { minimum: [0, 0], axes: [`α (along d₁${percent(0)})`, `β (along d₂${percent(1)})`] },
      ),
    ],
    caption,
  );
}
