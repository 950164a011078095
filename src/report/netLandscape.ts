/**
 * Loss landscapes of a real network (Li et al. 2018, "Visualizing the Loss Landscape of Neural Nets"):
 * the loss along the segment between two parameter vectors (Goodfellow et al. 2015's 1-D interpolation),
 * and a 2-D slice θ* + αd₁ + βd₂ along random directions rescaled filter by filter to the norms of the
 * weights, with the training trajectory projected onto those directions. Each evaluation is one compiled
 * call on a fixed batch of examples (the parameters shifted inside it).
 */
import { jit, numpy as np } from "@jax-js/jax";
import {
  disposeTree,
  leavesWithPaths,
  mapWithPaths,
  random,
  toDevice,
  treeFromHost,
  type HostTensor,
  type Key,
  type Precision,
  type Tree,
} from "../engine/index.js";
import type { TopLevelSpec } from "vega-lite";
import type { TreeLoss } from "../curvature/index.js";
import { panels, xyChartSpec } from "./charts.js";
import { contourLevels, contourLines } from "./contours.js";
import { contourPlotSpec } from "./landscape.js";

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
  /** The 2-D slice around θ* = θ_b: α, β grid and losses (row-major, β rows). */
  slice: { alphas: number[]; betas: number[]; losses: Float64Array };
  /** The snapshots projected onto (d₁, d₂), ending at θ* (0, 0). */
  trajectory: [number, number][];
  seconds: { interpolation: number; slice: number };
  /** CPU seconds of the slice (this process): the wall time it would take on an otherwise idle core. */
  sliceCpuSeconds: number;
}

/**
 * The 1-D interpolation from `from` to `to` and the filter-normalized 2-D slice around `to` (n × n points
 * over [−span, span]²), with `snapshots` projected on the slice's directions.
 */
export function networkLandscape(opts: {
  loss: TreeLoss;
  template: Tree;
  from: Map<string, HostTensor>;
  to: Map<string, HostTensor>;
  snapshots: Map<string, HostTensor>[];
  data: Tree[];
  precision: Precision;
  n?: number;
  span?: number;
  interpolationPoints?: number;
  key?: Key;
}): NetworkLandscape {
  const { loss, template, precision, data } = opts;
  const n = opts.n ?? 41;
  const span = opts.span ?? 1;
  const device = (m: Map<string, HostTensor>) => treeFromHost(template, m, precision);
  const zero = new Map([...opts.to].map(([p, t]) => [p, { shape: t.shape, data: new Float64Array(t.data.length) }]));
  const key = opts.key ?? random.randomKey(0);
  const d1 = filterNormalizedDirection(opts.to, random.foldIn(key, 1));
  const d2 = filterNormalizedDirection(opts.to, random.foldIn(key, 2));
  const trees = {
    from: device(opts.from),
    to: device(opts.to),
    along: device(subtract(opts.from, opts.to)),
    zero: device(zero),
    d1: device(d1),
    d2: device(d2),
  };
  try {
    let started = performance.now();
    const points = opts.interpolationPoints ?? 41;
    // t from −0.25 to 1.25: a little beyond both ends, as in Goodfellow et al. (2015).
    const ts = Array.from({ length: points }, (_, i) => -0.25 + (1.5 * i) / (points - 1));
    const lineLosses = lossOnPlane(
      loss,
      trees.from,
      trees.along,
      trees.zero,
      data,
      ts.map((t) => [t, 0]),
      precision,
    );
    const interpolationSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const cpu = process.cpuUsage();
    const axis = Array.from({ length: n }, (_, i) => -span + (2 * span * i) / (n - 1));
    const grid = axis.flatMap((b) => axis.map((a): [number, number] => [a, b]));
    const losses = lossOnPlane(loss, trees.to, trees.d1, trees.d2, data, grid, precision);
    const sliceSeconds = (performance.now() - started) / 1000;
    const { user, system } = process.cpuUsage(cpu);
    return {
      interpolation: ts.map((t, i) => ({ t, loss: lineLosses[i] })),
      slice: { alphas: axis, betas: axis, losses },
      trajectory: projectTrajectory([...opts.snapshots, opts.to], opts.to, d1, d2),
      seconds: { interpolation: interpolationSeconds, slice: sliceSeconds },
      sliceCpuSeconds: (user + system) / 1e6,
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
  const span: [number, number] = [l.slice.alphas[0], l.slice.alphas[l.slice.alphas.length - 1]];
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
        "2-D slice θ* + αd₁ + βd₂ (filter-normalized)",
        { x: span, y: span },
        contours,
        [{ label: "training trajectory, projected", path: l.trajectory }],
        { minimum: [0, 0], axes: ["α (along d₁)", "β (along d₂)"] },
      ),
    ],
    caption,
  );
}
