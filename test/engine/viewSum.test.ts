/**
 * The data-movement kernels (src/engine/gemm/viewSum.ts): the generated module against a plain
 * evaluation of its definition on random terms, and inside jax-js (concatenations, pads, slices and
 * the sums of padded cotangents that grad makes of them) against jax-js's own kernels, bit for bit.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { grad, jit, numpy as np } from "@jax-js/jax";
import { gemmStatus, random, startEngine } from "../../src/engine/index.js";
import { setViewSumEnabled } from "../../src/engine/gemm/hook.js";
import type { ViewSum, ViewTerm } from "../../src/engine/gemm/viewSum.js";
import { layout, viewSumRows } from "../../src/engine/gemm/viewSumLoops.js";
import { viewSumModuleBytes } from "../../src/engine/gemm/viewSumWasm.js";
import { im2colPatches } from "../../src/nn/conv.js";

before(async () => {
  await startEngine();
});

/** Deterministic pseudo-random integers in [0, n). */
function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

/** out[i] = Σ over terms whose box holds i of input[arg][offset + Σ i_d·strides_d]. */
function evaluate(sum: ViewSum, inputs: Float64Array[]): Float64Array {
  const out = new Float64Array(sum.size);
  for (const t of sum.terms) {
    for (let flat = 0; flat < sum.size; flat++) {
      let rest = flat;
      let at = t.offset;
      let inside = true;
      for (let d = t.shape.length - 1; d >= 0; d--) {
        const i = rest % t.shape[d];
        rest = Math.floor(rest / t.shape[d]);
        at += i * t.strides[d];
        if (i < t.box[d][0] || i >= t.box[d][1]) inside = false;
      }
      if (inside) out[flat] += inputs[t.arg][at];
    }
  }
  return out;
}

/**
 * A random term over `shape` reading input `arg` of `length` elements, in range inside its box
 * (`wholeFirstAxis`: the box spans the first axis, as a batch).
 */
function randomTerm(
  next: (n: number) => number,
  shape: number[],
  arg: number,
  length: number,
  wholeFirstAxis = false,
): ViewTerm {
  const box = shape.map((n, d): [number, number] => {
    if (wholeFirstAxis && d === 0) return [0, n];
    const lo = next(2) ? next(n) : 0;
    return [lo, lo + 1 + next(n - lo)];
  });
  const strides = shape.map(() => next(4) - 1);
  // The smallest and largest offsets reached inside the box, before `offset`.
  let low = 0;
  let high = 0;
  box.forEach(([lo, hi], d) => {
    low += Math.min(lo * strides[d], (hi - 1) * strides[d]);
    high += Math.max(lo * strides[d], (hi - 1) * strides[d]);
  });
  const offset = -low + next(Math.max(1, length - (high - low)));
  return { arg, shape, strides, offset, box };
}

/** The module's output on `inputs`, called once per range of rows in `ranges` (default: all rows at once). */
function runModule(
  sum: ViewSum,
  inputs: Float64Array[],
  dtype: "float32" | "float64",
  ranges: [number, number][] = [[0, viewSumRows(sum)]],
  rowByRow = true,
): Float64Array {
  const elt = dtype === "float32" ? 4 : 8;
  const Typed = dtype === "float32" ? Float32Array : Float64Array;
  const memory = new WebAssembly.Memory({ initial: 4 });
  const ptrs: number[] = [];
  let at = 64;
  for (const input of inputs) {
    ptrs.push(at);
    new Typed(memory.buffer, at, input.length).set(input);
    at += Math.ceil((input.length * elt) / 16) * 16 + 16;
  }
  // Garbage in the output: a kernel must not rely on zeroed memory.
  new Typed(memory.buffer, at, sum.size).fill(7);
  const bytes = viewSumModuleBytes(sum, false, rowByRow);
  assert.ok(bytes);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  for (const [start, end] of ranges) (instance.exports.kernel as (...args: number[]) => void)(...ptrs, at, start, end);
  return Float64Array.from(new Typed(memory.buffer, at, sum.size));
}

test("the generated module equals the definition on random terms (ranks 1-4, masks, odd strides, long runs)", () => {
  const next = rng(7);
  for (let trial = 0; trial < 60; trial++) {
    const dtype = trial % 2 ? "float64" : "float32";
    // Last axes up to 80 long: contiguous runs both unrolled (≤ 8 vectors) and looped.
    const rank = 1 + next(4);
    const shape = Array.from({ length: rank }, (_, d) => 1 + next(d === rank - 1 ? 80 : 6));
    const size = shape.reduce((a, b) => a * b, 1);
    const inputs = [0, 1].map(() => Float64Array.from({ length: 2 * size + 40 }, () => next(2001) - 1000));
    const terms = Array.from({ length: 1 + next(5) }, () => randomTerm(next, shape, next(2), 2 * size + 40));
    const sum: ViewSum = { dtype, nargs: 2, size, terms };
    assert.deepEqual(runModule(sum, inputs, dtype), evaluate(sum, inputs), `trial ${trial}: ${JSON.stringify(terms)}`);
  }
});

test("row ranges (the pool's split) give the whole sum's bits, in any order, masked or not, row by row or not", () => {
  const next = rng(17);
  let split = 0;
  for (let trial = 0; trial < 60; trial++) {
    const dtype = trial % 2 ? "float64" : "float32";
    const rank = 2 + next(3);
    const shape = Array.from({ length: rank }, (_, d) => (d === rank - 1 ? 4 * (1 + next(12)) : 1 + next(6)));
    const size = shape.reduce((a, b) => a * b, 1);
    const inputs = [0, 1].map(() => Float64Array.from({ length: 2 * size + 40 }, () => next(2001) - 1000));
    const mask = Float64Array.from({ length: size + 8 }, () => [0, -0, 1, -1][next(4)]);
    // Every term spans the first axis whole (the batch), as the rows need.
    const terms = Array.from({ length: 1 + next(4) }, () => randomTerm(next, shape, next(2), 2 * size + 40, true));
    const masked = trial % 3 === 0;
    const sum: ViewSum = masked
      ? { dtype, nargs: 3, size, terms, reluMask: { arg: 2, offset: next(8), keep: "positive" } }
      : { dtype, nargs: 2, size, terms };
    const args = masked ? [...inputs, mask] : inputs;
    const rows = viewSumRows(sum);
    assert.equal(rows, shape[0] >= 2 ? shape[0] : 1, JSON.stringify(shape));
    if (rows < 2) continue;
    split++;
    // Random cuts, run last range first; an empty range too.
    const cuts = [0, ...Array.from({ length: next(4) }, () => next(rows + 1)), rows].sort((a, b) => a - b);
    const ranges = cuts
      .slice(1)
      .map((end, i): [number, number] => [cuts[i], end])
      .reverse();
    assert.deepEqual(
      runModule(sum, args, dtype, ranges),
      runModule(sum, args, dtype),
      `trial ${trial}: ${JSON.stringify(ranges)}`,
    );
    // Each pass over all rows first (the A/B order): the same bits.
    assert.deepEqual(runModule(sum, args, dtype, ranges, false), runModule(sum, args, dtype));
    if (!masked) assert.deepEqual(runModule(sum, args, dtype), evaluate(sum, args));
  }
  assert.ok(split >= 30, `${split} trials split`);
});

test("a sum under a ReLU mask zeroes exactly the elements whose mask is not positive", () => {
  const next = rng(11);
  for (let trial = 0; trial < 30; trial++) {
    const dtype = trial % 2 ? "float64" : "float32";
    const rank = 1 + next(3);
    // Whole vectors (the match requires it): the last axis a multiple of 4.
    const shape = Array.from({ length: rank }, (_, d) => (d === rank - 1 ? 4 * (1 + next(12)) : 1 + next(5)));
    const size = shape.reduce((a, b) => a * b, 1);
    const inputs = [0, 1].map(() => Float64Array.from({ length: 2 * size + 40 }, () => next(2001) - 1000));
    // The mask input holds zeros, negative zeros and both signs.
    const mask = Float64Array.from({ length: size + 8 }, () => [0, -0, 1, -1, 0.5][next(5)]);
    const offset = next(8);
    const terms = Array.from({ length: 1 + next(4) }, () => randomTerm(next, shape, next(2), 2 * size + 40));
    const keep = trial % 4 < 2 ? "positive" : "notNegative";
    const sum: ViewSum = { dtype, nargs: 3, size, terms, reluMask: { arg: 2, offset, keep } };
    const kept = (m: number) => (keep === "positive" ? m > 0 : !(m < 0));
    const expected = evaluate(sum, inputs).map((v, i) => (kept(mask[offset + i]) ? v : 0));
    assert.deepEqual(runModule(sum, [...inputs, mask], dtype), expected, `trial ${trial}`);
  }
});

test("windows side by side (same input and loops, disjoint channel boxes) run as one nest, as defined", () => {
  const next = rng(13);
  for (let trial = 0; trial < 24; trial++) {
    const dtype = trial % 2 ? "float64" : "float32";
    const [n, h, w, c] = [1 + next(3), 1 + next(6), 1 + next(7), 1 + next(9)];
    const k = 1 + next(3);
    const shape = [n, h, w, k * k * c];
    // Window t reads the padded image [n, h + k - 1, w + k - 1, c] shifted by (t / k, t % k)
    // into channels [t·c, (t + 1)·c).
    const [hp, wp] = [h + k - 1, w + k - 1];
    const strides = [hp * wp * c, wp * c, c, 1];
    const terms: ViewTerm[] = Array.from({ length: k * k }, (_, t) => ({
      arg: 0,
      shape,
      strides,
      offset: (Math.floor(t / k) * wp + (t % k)) * c - t * c,
      box: [
        [0, n],
        [0, h],
        [0, w],
        [t * c, (t + 1) * c],
      ] as [number, number][],
    }));
    const input = Float64Array.from({ length: n * hp * wp * c }, () => next(2001) - 1000);
    const sum: ViewSum = { dtype, nargs: 1, size: n * h * w * k * k * c, terms };
    assert.deepEqual(layout(sum), { disjoint: true, covering: true });
    assert.deepEqual(runModule(sum, [input], dtype), evaluate(sum, [input]), `trial ${trial}`);
  }
});

test("terms with disjoint boxes are stored, and boxes that tile the output skip the zeroing", () => {
  const term = (box: [number, number][]): ViewTerm => ({ arg: 0, shape: [2, 6], strides: [6, 1], offset: 0, box });
  const tiles = { dtype: "float32", nargs: 1, size: 12 } as const;
  assert.deepEqual(
    layout({
      ...tiles,
      terms: [
        term([
          [0, 2],
          [0, 4],
        ]),
        term([
          [0, 2],
          [4, 6],
        ]),
      ],
    }),
    {
      disjoint: true,
      covering: true,
    },
  );
  assert.deepEqual(
    layout({
      ...tiles,
      terms: [
        term([
          [0, 2],
          [0, 3],
        ]),
        term([
          [0, 2],
          [4, 6],
        ]),
      ],
    }),
    {
      disjoint: true,
      covering: false,
    },
  );
  assert.deepEqual(
    layout({
      ...tiles,
      terms: [
        term([
          [0, 2],
          [0, 5],
        ]),
        term([
          [0, 2],
          [4, 6],
        ]),
      ],
    }),
    {
      disjoint: false,
      covering: false,
    },
  );
  // Disjoint and partial: the uncovered elements must still read 0.
  const sum: ViewSum = {
    ...tiles,
    terms: [
      term([
        [0, 1],
        [0, 3],
      ]),
      term([
        [1, 2],
        [3, 6],
      ]),
    ],
  };
  const input = Float64Array.from({ length: 12 }, (_, i) => i + 1);
  assert.deepEqual(runModule(sum, [input], "float32"), evaluate(sum, [input]));
});

/** A k×k im2col of an NHWC image padded by 1 (the conv layer's patches). */
function patches(x: np.Array, k: number): np.Array {
  const [, h, w] = x.shape;
  const xp = np.pad(x, [
    [0, 0],
    [1, 1],
    [1, 1],
    [0, 0],
  ]);
  return im2colPatches(xp, k, 1, h, w);
}

/** The same windows through np.concatenate (jax-js: two kernels, and a split in the gradient). */
function concatenated(x: np.Array, k: number): np.Array {
  const [, h, w] = x.shape;
  const xp = np.pad(x, [
    [0, 0],
    [1, 1],
    [1, 1],
    [0, 0],
  ]);
  const windows: np.Array[] = [];
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) windows.push(xp.ref.slice([], [i, i + h], [j, j + w], []));
  xp.dispose();
  return np.concatenate(windows, -1);
}

/** f(x) and grad of Σ f(x)·w under jit, read back, with the view-sum kernels on or off. */
async function valueAndGrad(f: (x: np.Array) => np.Array, x: np.Array, w: np.Array, on: boolean) {
  setViewSumEnabled(on);
  const value = jit(f);
  const gradient = jit(grad((v: np.Array) => f(v).mul(w.ref).sum()));
  const out = [await value(x.ref).data(), await gradient(x.ref).data()];
  value.dispose();
  gradient.dispose();
  setViewSumEnabled(true);
  return out;
}

for (const dtype of ["float32", "float64"] as const) {
  for (const [channels, k] of [
    [1, 3],
    [3, 3],
    [16, 3],
    [5, 2],
  ]) {
    test(`${dtype} im2col and its gradient, ${channels} channels, ${k}×${k}: bit-identical to jax-js`, async () => {
      const shape = [4, 20, 18, channels];
      const size = shape.reduce((a, b) => a * b, 1);
      const x = np
        .array(Array.from(random.normal(random.randomKey(channels), size)), { dtype: np[dtype] })
        .reshape(shape);
      const outShape = [4, 20, 18, k * k * channels];
      const w = np
        .array(Array.from(random.normal(random.randomKey(k), size * k * k)), { dtype: np[dtype] })
        .reshape(outShape);
      for (const f of [(v: np.Array) => patches(v, k), (v: np.Array) => concatenated(v, k)]) {
        const before = gemmStatus().viewSumKernels;
        const on = await valueAndGrad(f, x, w, true);
        assert.ok(gemmStatus().viewSumKernels > before, "no kernel ran on the view-sum path");
        const off = await valueAndGrad(f, x, w, false);
        for (let part = 0; part < 2; part++) {
          assert.equal(on[part].length, off[part].length);
          for (let i = 0; i < on[part].length; i++) {
            if (on[part][i] !== off[part][i])
              assert.fail(`part ${part}, element ${i}: ${on[part][i]} vs ${off[part][i]}`);
          }
        }
      }
      x.dispose();
      w.dispose();
    });
  }
}

test("the gradient of strided 2×2 windows (6-D pads read as 4-D) is bit-identical on view-sum kernels", async () => {
  const shape = [4, 20, 18, 3];
  const size = shape.reduce((a, b) => a * b, 1);
  const x = np.array(Array.from(random.normal(random.randomKey(3), size))).reshape(shape);
  const w = np.array(Array.from(random.normal(random.randomKey(4), size / 4))).reshape([4, 10, 9, 3]);
  // Σ over the four window offsets (a, b) of (a·2 + b + 1)·x[:, 2i + a, 2j + b, :].
  const windows = (v: np.Array) => {
    const r = v.reshape([4, 10, 2, 9, 2, 3]);
    let out: np.Array | undefined;
    for (let a = 0; a < 2; a++) {
      for (let b = 0; b < 2; b++) {
        const t = r.ref.slice([], [], a, [], b, []).mul(a * 2 + b + 1);
        out = out ? out.add(t) : t;
      }
    }
    r.dispose();
    return out!;
  };
  const before = gemmStatus().viewSumKernels;
  const on = await valueAndGrad(windows, x, w, true);
  assert.ok(gemmStatus().viewSumKernels > before, "no kernel ran on the view-sum path");
  const off = await valueAndGrad(windows, x, w, false);
  assert.deepEqual(on, off);
  x.dispose();
  w.dispose();
});

for (const dtype of ["float32", "float64"] as const) {
  test(`${dtype} im2col gradient through ReLUs (masked view-sum kernels) is bit-identical to jax-js`, async () => {
    const shape = [4, 12, 10, 16];
    const size = shape.reduce((a, b) => a * b, 1);
    // Exact zeros in x: the ReLU's derivative is 0 there (0 < 0 is false).
    const values = Array.from(random.normal(random.randomKey(5), size), (v, i) => (i % 7 === 0 ? 0 : v));
    const x = np.array(values, { dtype: np[dtype] }).reshape(shape);
    const w = np
      .array(Array.from(random.normal(random.randomKey(6), size * 9)), { dtype: np[dtype] })
      .reshape([4, 12, 10, 144]);
    // maximum(x, 0) differentiates to where(x < 0, 0, g), maximum(0, x) (Descent's relu) to where(0 < x, g, 0).
    for (const relu of [(v: np.Array) => np.maximum(v, 0), (v: np.Array) => np.maximum(0, v)]) {
      const f = (v: np.Array) => patches(relu(v), 3);
      const before = gemmStatus().viewSumKernels;
      const on = await valueAndGrad(f, x, w, true);
      assert.ok(gemmStatus().viewSumKernels > before, "the masked gradient did not run on the view-sum path");
      const off = await valueAndGrad(f, x, w, false);
      assert.deepEqual(on, off);
    }
    x.dispose();
    w.dispose();
  });
}

test("identical kernels of separate jit functions (new Kernel objects) share one module", async () => {
  const x = np.array(Array.from({ length: 4096 }, (_, i) => i)).reshape([64, 64]);
  const padded = async () => {
    const f = jit((v: np.Array) =>
      np.pad(v, [
        [1, 2],
        [3, 0],
      ]),
    );
    const out = await f(x.ref).data();
    f.dispose();
    return out;
  };
  const before = gemmStatus().viewSumKernels;
  const first = await padded();
  const compiled = gemmStatus().viewSumKernels;
  assert.ok(compiled > before, "the pad did not run on the view-sum path");
  const second = await padded();
  assert.equal(gemmStatus().viewSumKernels, compiled);
  assert.deepEqual(second, first);
  // The padded array is 67 × 67: x[r][c] = 64r + c sits at row r + 1, column c + 3; zeros around it.
  assert.equal(first[67 * 3 + 8], 2 * 64 + 5);
  assert.equal(first[67 * 3 + 2], 0);
  let total = 0;
  for (const value of first) total += value;
  assert.equal(total, (4096 * 4095) / 2);
  x.dispose();
});

test("kernels that compute (a product, a comparison) stay with jax-js", async () => {
  const x = np.array(Array.from({ length: 8192 }, (_, i) => Math.sin(i)));
  const before = gemmStatus().viewSumKernels;
  const f = jit((v: np.Array) =>
    v.ref
      .slice([0, 4096])
      .mul(2)
      .add(v.slice([4096, 8192])),
  );
  const y = await f(x.ref).data();
  assert.equal(gemmStatus().viewSumKernels, before);
  assert.equal(y.length, 4096);
  f.dispose();
  x.dispose();
});
