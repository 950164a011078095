/**
 * Shared helpers of the nn tests: float64 `cpu` tensors from seeds, plain-JS reference layers
 * (loops over host arrays, no jax-js) and a layer harness that checks ownership (every input
 * consumed exactly once, nothing left referenced) and runs the finite-difference check.
 */
import assert from "node:assert/strict";
import { numpy as np } from "@jax-js/jax";
import {
  disposeTree,
  leavesWithPaths,
  precisionOf,
  random,
  refTree,
  toDevice,
  type Tree,
} from "../../src/engine/index.js";
import {
  checkGradients,
  type ApplyContext,
  type GradCheckOptions,
  type GradCheckResult,
  type Layer,
} from "../../src/nn/index.js";

export const F64 = precisionOf("float64");

export interface Host {
  shape: number[];
  data: Float64Array;
}

export const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Standard normal host tensor from a seed. */
export function randn(seed: number, shape: number[], std = 1, mean = 0): Host {
  return { shape, data: random.normal(random.randomKey(seed), sizeOf(shape), mean, std) };
}

export const dev = (h: Host): np.Array => toDevice(h.data, h.shape, F64);

/** Host copy of a device array (borrowed). */
export const host = (a: np.Array): Host => ({
  shape: a.shape.slice(),
  data: Float64Array.from(a.ref.dataSync() as ArrayLike<number>),
});

/** Host copies of every leaf of a tree (borrowed), by path. */
export function hostTree(t: Tree): Map<string, Host> {
  return new Map(leavesWithPaths(t).map(({ path, leaf }) => [path, host(leaf)]));
}

export function assertClose(actual: Host | Float64Array, expected: Host | Float64Array, tol: number, what = "") {
  const a = "data" in actual ? actual.data : actual;
  const e = "data" in expected ? expected.data : expected;
  if ("shape" in actual && "shape" in expected) assert.deepEqual(actual.shape, expected.shape, `${what} shape`);
  assert.equal(a.length, e.length, `${what} size`);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i] - e[i]) / Math.max(1, Math.abs(e[i]));
    if (!(err <= worst)) [worst, at] = [err, i];
  }
  assert.ok(worst <= tol, `${what}: element ${at} is ${a[at]}, expected ${e[at]} (error ${worst} > ${tol})`);
}

/** Every leaf of `t` has exactly `n` references. */
export function assertRefCounts(t: Tree, n: number, what: string) {
  for (const { path, leaf } of leavesWithPaths(t))
    assert.equal(leaf.refCount, n, `${what}${path ? "." + path : ""} has ${leaf.refCount} references, expected ${n}`);
}

/**
 * Runs `layer.apply` on references to params, state and x and checks ownership: afterwards each of
 * them is back to one reference (consumed exactly once, not kept), and so is the output.
 * Returns host copies of the output and the new state; disposes everything it made.
 */
export function forward(
  layer: Layer,
  params: Tree,
  state: Tree,
  x: np.Array,
  ctx: ApplyContext,
): { y: Host; state: Map<string, Host> } {
  const [y, newState] = layer.apply(refTree(params), refTree(state), x.ref, ctx);
  assertRefCounts(params, 1, `${layer.kind} params`);
  assertRefCounts(x, 1, `${layer.kind} input`);
  assert.equal(y.refCount, 1, `${layer.kind} output has ${y.refCount} references`);
  const out = { y: host(y), state: hostTree(newState) };
  y.dispose();
  disposeTree(newState);
  assertRefCounts(state, 1, `${layer.kind} state`);
  return out;
}

/** Initializes a layer in float64 on `cpu` and overwrites params/state leaves by path. */
export function initWith(
  layer: Layer,
  inputShape: number[],
  values: { params?: Record<string, Float64Array>; state?: Record<string, Float64Array>; seed?: number } = {},
) {
  const init = layer.init(random.randomKey(values.seed ?? 1), inputShape, F64);
  return {
    params: overwrite(init.params, values.params),
    state: overwrite(init.state, values.state),
    outputShape: init.outputShape,
  };
}

export interface LayerCheck {
  layer: Layer;
  inputShape: number[];
  batch?: number;
  seed?: number;
  ctx?: ApplyContext;
  /** Input data (default: standard normal). */
  x?: Float64Array;
  /** Replaces initialized params/state (e.g. batch norm's γ, β and running averages), by path. */
  params?: Record<string, Float64Array>;
  state?: Record<string, Float64Array>;
  check?: GradCheckOptions;
}

/** Replaces leaves of `t` (consumed) by host values, by path; returns the new tree. */
export function overwrite(t: Tree, values: Record<string, Float64Array> | undefined): Tree {
  if (!values) return t;
  const paths = new Set(leavesWithPaths(t).map((l) => l.path));
  for (const p of Object.keys(values)) assert.ok(paths.has(p), `no leaf "${p}"`);
  const replaced = leavesWithPaths(t).map(({ path, leaf }) => {
    const v = values[path];
    if (!v) return leaf;
    assert.equal(v.length, leaf.size, `size of "${path}"`);
    const shape = leaf.shape;
    leaf.dispose();
    return toDevice(v, shape, F64);
  });
  let i = 0;
  return rebuild(t, () => replaced[i++]);
}

function rebuild(t: Tree, next: () => np.Array): Tree {
  if (t instanceof np.Array) return next();
  if (Array.isArray(t)) return t.map((c) => rebuild(c, next));
  return Object.fromEntries(Object.entries(t).map(([k, c]) => [k, rebuild(c, next)]));
}

/**
 * Finite-difference check of loss(params, x) = Σ apply(params, state, x) ⊙ w (w fixed, normal)
 * w.r.t. the params and the input together, in float64 on the exact `cpu` device.
 */
export function gradCheckLayer(c: LayerCheck): GradCheckResult {
  const seed = c.seed ?? 1;
  const batch = c.batch ?? 3;
  const ctx = c.ctx ?? { train: true };
  const init = initWith(c.layer, c.inputShape, { params: c.params, state: c.state, seed });
  const { params, state } = init;
  const xShape = [batch, ...c.inputShape];
  const x = c.x ? toDevice(c.x, xShape, F64) : dev(randn(seed + 1000, xShape));
  const out = forward(c.layer, params, state, x, ctx);
  assert.deepEqual(out.y.shape, [batch, ...init.outputShape], `${c.layer.kind} output shape`);
  const w = dev(randn(seed + 2000, out.y.shape));
  const loss = (args: { params: Tree; x: np.Array }) => {
    const [y, s] = c.layer.apply(args.params, refTree(state), args.x, ctx);
    disposeTree(s);
    return y.mul(w.ref).sum();
  };
  const args = { params, x };
  const result = checkGradients(loss, args, c.check);
  // Hundreds of applies later, nothing kept a reference (a leak would show as a count above one).
  assertRefCounts(args, 1, `${c.layer.kind} after the check:`);
  assertRefCounts(state, 1, `${c.layer.kind} state after the check:`);
  disposeTree(args);
  disposeTree(state);
  w.dispose();
  return result;
}

export const describeResult = (r: GradCheckResult) =>
  `max rel error ${r.maxRelError.toExponential(2)} (worst: ${r.worst.path}[${r.worst.index}] analytic ` +
  `${r.worst.analytic.toPrecision(8)}, numeric ${r.worst.numeric.toPrecision(8)}), norm-wise ` +
  `${r.normRelError.toExponential(2)}, ${r.entries.length} comparisons`;

// ---- Reference layers: plain loops over row-major host arrays ----

export function linearRef(x: Host, w: Host, b: Float64Array | null): Host {
  const [fanIn, units] = w.shape;
  const rows = x.data.length / fanIn;
  const out = new Float64Array(rows * units);
  for (let r = 0; r < rows; r++)
    for (let u = 0; u < units; u++) {
      let s = b ? b[u] : 0;
      for (let i = 0; i < fanIn; i++) s += x.data[r * fanIn + i] * w.data[i * units + u];
      out[r * units + u] = s;
    }
  return { shape: [...x.shape.slice(0, -1), units], data: out };
}

/** Direct convolution (cross-correlation) of NHWC x with [kh, kw, cin, cout] w, zero padding `pad` on every side. */
export function conv2dRef(x: Host, w: Host, b: Float64Array | null, stride: number, pad: number): Host {
  const [n, h, wd, cin] = x.shape;
  const [kh, kw, , cout] = w.shape;
  const ho = Math.floor((h + 2 * pad - kh) / stride) + 1;
  const wo = Math.floor((wd + 2 * pad - kw) / stride) + 1;
  const out = new Float64Array(n * ho * wo * cout);
  for (let e = 0; e < n; e++)
    for (let oi = 0; oi < ho; oi++)
      for (let oj = 0; oj < wo; oj++)
        for (let co = 0; co < cout; co++) {
          let s = b ? b[co] : 0;
          for (let di = 0; di < kh; di++)
            for (let dj = 0; dj < kw; dj++) {
              const i = oi * stride + di - pad;
              const j = oj * stride + dj - pad;
              if (i < 0 || i >= h || j < 0 || j >= wd) continue;
              for (let ci = 0; ci < cin; ci++)
                s += x.data[((e * h + i) * wd + j) * cin + ci] * w.data[((di * kw + dj) * cin + ci) * cout + co];
            }
          out[((e * ho + oi) * wo + oj) * cout + co] = s;
        }
  return { shape: [n, ho, wo, cout], data: out };
}

export function maxPoolRef(x: Host, size: number): Host {
  const [n, h, w, c] = x.shape;
  const [ho, wo] = [Math.floor(h / size), Math.floor(w / size)];
  const out = new Float64Array(n * ho * wo * c).fill(-Infinity);
  for (let e = 0; e < n; e++)
    for (let i = 0; i < ho * size; i++)
      for (let j = 0; j < wo * size; j++)
        for (let ch = 0; ch < c; ch++) {
          const o = ((e * ho + Math.floor(i / size)) * wo + Math.floor(j / size)) * c + ch;
          out[o] = Math.max(out[o], x.data[((e * h + i) * w + j) * c + ch]);
        }
  return { shape: [n, ho, wo, c], data: out };
}

/** h_t = tanh(x_t U + h_{t−1} W + b), all states [n, T, units]. */
export function rnnRef(x: Host, u: Host, w: Host, b: Float64Array): Host {
  const [n, time, features] = x.shape;
  const units = b.length;
  const out = new Float64Array(n * time * units);
  for (let e = 0; e < n; e++) {
    let h = new Float64Array(units);
    for (let t = 0; t < time; t++) {
      const next = new Float64Array(units);
      for (let k = 0; k < units; k++) {
        let s = b[k];
        for (let i = 0; i < features; i++) s += x.data[(e * time + t) * features + i] * u.data[i * units + k];
        for (let j = 0; j < units; j++) s += h[j] * w.data[j * units + k];
        next[k] = Math.tanh(s);
      }
      h = next;
      out.set(h, (e * time + t) * units);
    }
  }
  return { shape: [n, time, units], data: out };
}

/** Maxout: unit k is the max over pieces p of column k·pieces + p of xW + b. */
export function maxoutRef(x: Host, w: Host, b: Float64Array | null, units: number, pieces: number): Host {
  const z = linearRef(x, w, b);
  const rows = z.data.length / (units * pieces);
  const out = new Float64Array(rows * units);
  for (let r = 0; r < rows; r++)
    for (let k = 0; k < units; k++) {
      let m = -Infinity;
      for (let p = 0; p < pieces; p++) m = Math.max(m, z.data[r * units * pieces + k * pieces + p]);
      out[r * units + k] = m;
    }
  return { shape: [...x.shape.slice(0, -1), units], data: out };
}

/** Per-unit (last axis) mean and biased variance over every other axis. */
export function unitMoments(x: Host): { mean: Float64Array; variance: Float64Array; count: number } {
  const units = x.shape[x.shape.length - 1];
  const count = x.data.length / units;
  const mean = new Float64Array(units);
  const variance = new Float64Array(units);
  for (let i = 0; i < x.data.length; i++) mean[i % units] += x.data[i] / count;
  for (let i = 0; i < x.data.length; i++) variance[i % units] += (x.data[i] - mean[i % units]) ** 2 / count;
  return { mean, variance, count };
}

/** Batch norm (8.7.1): γ (x − μ)/√(δ + σ²) + β with batch moments (train) or the given running ones. */
export function batchNormRef(
  x: Host,
  gamma: Float64Array,
  beta: Float64Array,
  delta: number,
  running?: { mean: Float64Array; variance: Float64Array },
): Host {
  const units = gamma.length;
  const { mean, variance } = running ?? unitMoments(x);
  const out = x.data.map(
    (v, i) => gamma[i % units] * ((v - mean[i % units]) / Math.sqrt(delta + variance[i % units])) + beta[i % units],
  );
  return { shape: x.shape, data: out };
}
