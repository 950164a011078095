/**
 * Finite-difference gradient checking in float64 ("numbers are checked, not trusted").
 *
 * Compares jax-js's reverse-mode gradient of a scalar function with central differences,
 * coordinate by coordinate (all of them, or a keyed random subset of each leaf), plus a few random
 * directions that move every coordinate at once, so coordinates left out of the subset are still
 * covered. Default: the fourth-order central difference
 * (−f(θ+2h) + 8f(θ+h) − 8f(θ−h) + f(θ−2h)) / 12h with h = 1e-4·max(1, |θ_i|), whose error
 * (truncation ~h⁴, round-off ~ε|f|/h) is ~1e-12 in float64, 100× below the second-order
 * (f(θ+h) − f(θ−h)) / 2h at its best step (~1e-6), for twice the evaluations. Kinks (ReLU at 0,
 * ties of a max) must stay farther than 2h from the point.
 *
 * Error per comparison (a analytic, n numeric): |a − n| / max(|a|, |n|, floor) with
 * floor = floorRelative · max over all comparisons of max(|a|, |n|). The floor only matters for
 * derivatives that are (near) zero, such as a bias feeding batch norm or the non-maximal inputs of
 * a max-pool, where a pure relative error would measure the differences' round-off (~1e-11).
 * Use it on the exact `cpu` float64 device: Wasm's float64 exp/log/tanh are float32-accurate.
 * The differences are not jit-compiled: jax-js 0.1.25's jit rounds JS-number constants
 * (x.mul(0.2), mean's 1/n) to float32 even in float64 programs (relative 1.5e-8).
 */
import { grad, numpy as np } from "@jax-js/jax";
import { leavesWithPaths, mapWithPaths, random, refTree, type Key, type Tree } from "../engine/index.js";

export interface GradCheckOptions {
  /** 4: fourth-order central difference (default); 2: (f(θ+h) − f(θ−h)) / 2h. */
  order?: 2 | 4;
  /**
   * Relative step: h = step · max(1, |θ_i|) (directions: step · max(1, ‖θ‖∞)). Default 1e-4 (order 4), 1e-6 (order 2).
   */
  step?: number;
  /** Check at most this many coordinates per leaf, chosen with `key`; default: every coordinate. */
  maxPerLeaf?: number;
  /** Random directions (unit-norm over the whole tree) checked in addition. Default 2. */
  directions?: number;
  /** Denominator floor relative to the largest max(|a|, |n|) of the check. Default 1e-4. */
  floorRelative?: number;
  key?: Key;
}

export interface GradCheckEntry {
  /** Leaf path ("params.weight"), or "direction" for a random direction. */
  path: string;
  /** Flat index in the leaf, or the direction's number. */
  index: number;
  analytic: number;
  numeric: number;
  relError: number;
}

export interface GradCheckResult {
  /** Max over every entry of |a − n| / max(|a|, |n|, floor). */
  maxRelError: number;
  worst: GradCheckEntry;
  /** ‖a − n‖₂ / ‖a + n‖₂ over the coordinate entries (not the directions). */
  normRelError: number;
  entries: GradCheckEntry[];
}

const hostData = (a: np.Array): Float64Array => Float64Array.from(a.ref.dataSync() as ArrayLike<number>);

function evaluate(f: (args: Tree) => np.Array, args: Tree): number {
  const out = f(args);
  if (out.size !== 1) {
    out.dispose();
    throw new Error(`checkGradients needs a scalar function, got shape [${out.shape}]`);
  }
  return out.dataSync()[0];
}

/** Central difference of g(t) = f(θ + t·h·direction) at t = 0, divided by h. */
function difference(order: 2 | 4, h: number, g: (t: number) => number): number {
  if (order === 2) return (g(1) - g(-1)) / (2 * h);
  return (8 * (g(1) - g(-1)) - (g(2) - g(-2))) / (12 * h);
}

/** h rounded so that (θ + h) − θ == h exactly. */
function exactStep(theta: number, h: number): number {
  return theta + h - theta;
}

/**
 * Checks `grad(f)` at `args` against central differences. `f` consumes its argument (jax-js
 * convention) and returns a scalar; `args` is borrowed (every leaf must be float64).
 */
export function checkGradients<T extends Tree>(
  f: (args: T) => np.Array,
  args: T,
  opts: GradCheckOptions = {},
): GradCheckResult {
  const fn = f as (args: Tree) => np.Array;
  const leaves = leavesWithPaths(args);
  for (const { path, leaf } of leaves) {
    if (leaf.dtype !== np.float64)
      throw new Error(`checkGradients needs float64 leaves, but "${path}" is ${leaf.dtype}`);
  }
  const values = new Map(leaves.map(({ path, leaf }) => [path, hostData(leaf)]));
  const gradTree = grad(fn)(refTree(args));
  const analytic = new Map(leavesWithPaths(gradTree).map(({ path, leaf }) => [path, hostData(leaf)]));
  for (const { leaf } of leavesWithPaths(gradTree)) leaf.dispose();

  const order = opts.order ?? 4;
  const step = opts.step ?? (order === 4 ? 1e-4 : 1e-6);
  const floorRelative = opts.floorRelative ?? 1e-4;
  const key = opts.key ?? random.randomKey(0);
  // f at args with some leaves replaced by host data (the others passed by reference).
  const at = (replaced: Map<string, Float64Array>) =>
    evaluate(
      fn,
      mapWithPaths(args, (path, leaf) => {
        const data = replaced.get(path);
        return data ? np.array(data, { dtype: np.float64, device: leaf.device }).reshape(leaf.shape) : leaf.ref;
      }),
    );

  const raw: Omit<GradCheckEntry, "relError">[] = [];
  leaves.forEach(({ path }, leafIndex) => {
    const theta = values.get(path)!;
    const g = analytic.get(path)!;
    let indices: ArrayLike<number> = Array.from({ length: theta.length }, (_, i) => i);
    if (opts.maxPerLeaf !== undefined && opts.maxPerLeaf < theta.length) {
      indices = random.permutation(random.foldIn(key, leafIndex), theta.length).subarray(0, opts.maxPerLeaf).sort();
    }
    for (const i of Array.from(indices)) {
      // A step that is exactly representable next to θ_i, so θ ± kh carry no rounding.
      const h = exactStep(theta[i], step * Math.max(1, Math.abs(theta[i])));
      const numeric = difference(order, h, (t) => {
        const moved = Float64Array.from(theta);
        moved[i] += t * h;
        return at(new Map([[path, moved]]));
      });
      raw.push({ path, index: i, analytic: g[i], numeric });
    }
  });

  const directions = opts.directions ?? 2;
  let maxAbs = 0;
  for (const theta of values.values()) for (const v of theta) maxAbs = Math.max(maxAbs, Math.abs(v));
  const total = leaves.reduce((n, { leaf }) => n + leaf.size, 0);
  for (let d = 0; d < directions && total > 0; d++) {
    const v = random.normal(random.foldIn(key, 1_000_003 + d), total);
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    const h = step * Math.max(1, maxAbs);
    let directional = 0;
    let offset = 0;
    for (const { path } of leaves) {
      const g = analytic.get(path)!;
      for (let i = 0; i < g.length; i++) directional += (g[i] * v[offset + i]) / norm;
      offset += g.length;
    }
    const numeric = difference(order, h, (t) => {
      const moved = new Map<string, Float64Array>();
      let at0 = 0;
      for (const { path } of leaves) {
        const theta = Float64Array.from(values.get(path)!);
        for (let i = 0; i < theta.length; i++) theta[i] += (t * h * v[at0 + i]) / norm;
        at0 += theta.length;
        moved.set(path, theta);
      }
      return at(moved);
    });
    raw.push({ path: "direction", index: d, analytic: directional, numeric });
  }

  const scale = raw.reduce((s, e) => Math.max(s, Math.abs(e.analytic), Math.abs(e.numeric)), 0);
  const floor = Math.max(floorRelative * scale, Number.MIN_VALUE);
  const entries = raw.map((e) => ({
    ...e,
    relError: Math.abs(e.analytic - e.numeric) / Math.max(Math.abs(e.analytic), Math.abs(e.numeric), floor),
  }));
  if (entries.length === 0) throw new Error("checkGradients: nothing to check (no parameters)");
  const worst = entries.reduce((w, e) => (e.relError > w.relError || Number.isNaN(e.relError) ? e : w));
  let diff = 0;
  let sum = 0;
  for (const e of entries) {
    if (e.path === "direction") continue;
    diff += (e.analytic - e.numeric) ** 2;
    sum += (e.analytic + e.numeric) ** 2;
  }
  return { maxRelError: worst.relError, worst, normRelError: sum > 0 ? Math.sqrt(diff / sum) : 0, entries };
}
