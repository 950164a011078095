/**
 * The max-pooling rewrite (src/engine/gemm/maxPoolRewrite.ts): under jit, maxPool2d's window copies,
 * maxima, compares, selects and scatter become a forward and a backward kernel. Checked bit for bit
 * against the same program with the rewrite off (ties, ±0 inputs and −0 cotangents, 2×2 and 3×3 windows,
 * float32 and float64, NaNs), against the first-maximum rule, and the CNN training step: it fails when the
 * pattern stops matching (gemmStatus().poolsFused).
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { jit, numpy as np, valueAndGrad } from "@jax-js/jax";
import {
  disposeTree,
  flattenTree,
  gemmStatus,
  precisionOf,
  random,
  startEngine,
  toDevice,
} from "../../src/engine/index.js";
import { setMaxPoolEnabled } from "../../src/engine/gemm/hook.js";
import { cnn, maxPool2d } from "../../src/nn/index.js";
import { book } from "../../src/optim/index.js";
import { compileTrainStep, initTrainState, type TrainState } from "../../src/train/index.js";

before(async () => {
  await startEngine();
});

const bitsEqual = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

// [shape, window, dtype, whether the rewrite applies]: a cropped edge is sliced off into a compact copy
// first (which matches); 6 float32 channels are not whole vectors (jax-js's kernels stay).
for (const [size, shape, dtype, fuses] of [
  [2, [2, 8, 8, 8], "float32", true],
  [3, [3, 9, 6, 8], "float32", true],
  [2, [3, 8, 8, 6], "float64", true],
  [2, [2, 9, 11, 8], "float32", true],
  [2, [3, 8, 8, 6], "float32", false],
] as const) {
  const what = fuses ? "two kernels" : "unmatched";
  test(`maxPool2d ${size}×${size} ${dtype} on [${shape}]: ${what}, same bits, first maximum`, () => {
    const total = shape.reduce((a, b) => a * b, 1);
    // Values from {−2, −1, −0, 0, 0.5, 1}: ties in most windows, signed zeros among them, and a few NaNs.
    const xs = Array.from({ length: total }, (_, i) =>
      i % 101 === 50 ? Number.NaN : [-1, 0, 1, -0, 0.5, -2][(i * 7919 + (i >> 3)) % 6],
    );
    const pooled = [shape[0], Math.floor(shape[1] / size), Math.floor(shape[2] / size), shape[3]];
    const ws = Array.from({ length: pooled.reduce((a, b) => a * b, 1) }, (_, i) => (i % 3 ? Math.sin(i) : -0));
    const layer = maxPool2d(size);
    // As in the CNN: a ReLU after the pooling reads its output, so the maxima are materialised.
    const loss = (w: np.Array) => (x: np.Array) =>
      np
        .maximum(layer.apply([], [], x, { train: true })[0], 0)
        .mul(w)
        .sum();
    const f = jit((x: np.Array, w: np.Array) => valueAndGrad(loss(w))(x));
    const run = (on: boolean) => {
      setMaxPoolEnabled(on);
      const before = gemmStatus().poolsFused;
      const x = np.array(xs, { dtype: dtype as np.DType }).reshape([...shape]);
      const w = np.array(ws, { dtype: dtype as np.DType }).reshape(pooled);
      const [value, dx] = f(x, w) as [np.Array, np.Array];
      const out = {
        value: Array.from(value.dataSync() as Float64Array),
        dx: Array.from(dx.dataSync() as Float64Array),
      };
      return { ...out, fused: gemmStatus().poolsFused - before };
    };
    try {
      const [on, off] = [run(true), run(false)];
      assert.equal(on.fused, fuses ? 1 : 0, "the pooling ran as two kernels");
      assert.equal(off.fused, 0);
      assert.ok(bitsEqual(on.value, off.value), "same loss");
      assert.ok(bitsEqual(on.dx, off.dx), "same gradient, bit for bit");
      // First maximum: every window's cotangent lands on its first maximal element (or nowhere: ReLU).
      const [, h, wd, c] = shape;
      for (let k = 0; k < total; k++) {
        const ch = k % c;
        const col = Math.floor(k / c) % wd;
        const row = Math.floor(k / (c * wd)) % h;
        const e = Math.floor(k / (c * wd * h));
        if (row >= pooled[1] * size || col >= pooled[2] * size) {
          assert.equal(on.dx[k], 0, `element ${k} is cropped`);
          continue;
        }
        const [wi, wj] = [row % size, col % size];
        const window = (i: number, j: number) => xs[((e * h + row - wi + i) * wd + col - wj + j) * c + ch];
        const elements = Array.from({ length: size * size }, (_, q) => window(Math.floor(q / size), q % size));
        if (elements.some(Number.isNaN)) continue; // a NaN window: compared with the rewrite off only
        let first = 0;
        for (let q = 1; q < size * size; q++) if (elements[q] > elements[first]) first = q;
        if (first !== wi * size + wj) assert.ok(Object.is(on.dx[k], 0), `element ${k}: not its window's first maximum`);
      }
    } finally {
      setMaxPoolEnabled(true);
    }
  });
}

test("CNN Adam step: both poolings fused, trajectory bit-identical to the unfused program", async () => {
  const f32 = precisionOf("float32");
  const model = cnn(10, { width: 8 });
  const x = toDevice(random.normal(random.randomKey(1), 8 * 784), [8, 28, 28, 1], f32);
  const labels = new Float32Array(80).map((_, i) => (i % 10 === (Math.floor(i / 10) * 3) % 10 ? 1 : 0));
  const y = toDevice(labels, [8, 10], f32);
  const trajectory = async (on: boolean) => {
    setMaxPoolEnabled(on);
    const optimizer = book.adam(1e-2);
    let state: TrainState = initTrainState(model, random.randomKey(0), [28, 28, 1], f32, optimizer);
    const step = compileTrainStep(model, "cross-entropy", optimizer);
    const before = gemmStatus().poolsFused;
    const losses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const [next, stats] = await step.runAsync(state, x.ref, y.ref);
      state = next;
      losses.push(stats.loss);
    }
    const params = Array.from(flattenTree(state.params));
    step.dispose();
    disposeTree([state.params, state.modelState, state.optState]);
    return { losses, params, fused: gemmStatus().poolsFused - before };
  };
  try {
    const on = await trajectory(true);
    const off = await trajectory(false);
    assert.equal(on.fused, 2 * 3, "both poolings fused at each of 3 steps");
    assert.equal(off.fused, 0);
    assert.ok(bitsEqual(on.losses, off.losses), `losses ${on.losses} vs ${off.losses}`);
    assert.ok(bitsEqual(on.params, off.params), "parameters bit-identical");
  } finally {
    setMaxPoolEnabled(true);
    disposeTree([x, y]);
  }
});
