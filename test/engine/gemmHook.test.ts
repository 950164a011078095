import { test, before } from "node:test";
import assert from "node:assert/strict";
import { grad, jit, numpy as np } from "@jax-js/jax";
import {
  gemmCalls,
  gemmStatus,
  leavesWithPaths,
  precisionOf,
  random,
  setGemmEnabled,
  startEngine,
  toDevice,
  disposeTree,
  type Tree,
} from "../../src/engine/index.js";
import { relaxedSimdAvailable } from "../../src/engine/gemm/hook.js";
import { mlp } from "../../src/nn/index.js";
import { book } from "../../src/optim/index.js";
import { compileTrainStep, initTrainState } from "../../src/train/index.js";

before(async () => {
  await startEngine();
});

const values = (n: number, phase: number) => Array.from({ length: n }, (_, i) => Math.sin(1.7 * i + phase));

test("the GEMM hook is installed on jax-js's Wasm backend, with relaxed FMA (startEngine sets the V8 flag)", () => {
  const status = gemmStatus();
  assert.equal(status.active, true, status.reason);
  assert.equal(relaxedSimdAvailable(), true);
  assert.equal(status.fma, true);
});

for (const dtype of ["float32", "float64"] as const) {
  test(`a jit dense layer relu(x·W + b) in ${dtype} runs on the GEMM and equals the float64 host product`, async () => {
    const precision = precisionOf(dtype === "float64" ? "float64-fast" : "float32");
    const [M, K, N] = [33, 41, 26];
    const [xs, ws, bs] = [values(M * K, 0), values(K * N, 1), values(N, 2)];
    const layer = jit((x: np.Array, w: np.Array, b: np.Array) => np.maximum(np.add(np.dot(x, w), b), 0));
    const before = gemmCalls();
    const out = await layer(
      toDevice(xs, [M, K], precision),
      toDevice(ws, [K, N], precision),
      toDevice(bs, [N], precision),
    ).data();
    assert.equal(gemmCalls() - before, 1);
    let err = 0;
    for (let m = 0; m < M; m++)
      for (let n = 0; n < N; n++) {
        let sum = bs[n];
        for (let k = 0; k < K; k++) sum += xs[m * K + k] * ws[k * N + n];
        err = Math.max(err, Math.abs(Math.max(sum, 0) - out[m * N + n]));
      }
    // float32 inputs are rounded first (relative 6e-8 each), then 41 products are summed in float32.
    assert.ok(err < (dtype === "float32" ? 2e-5 : 1e-13), `max error ${err}`);
    layer.dispose();
  });
}

test("float64 gradients through GEMM kernels on Wasm equal the exact cpu device to 1e-13", async () => {
  const loss = (w: np.Array, x: np.Array) => np.sum(np.square(np.dot(x, w)));
  const gradient = async (device: "wasm" | "cpu") => {
    const x = np.array(Float64Array.from(values(40 * 30, 3)), { dtype: np.float64, device }).reshape([40, 30]);
    const w = np.array(Float64Array.from(values(30 * 20, 4)), { dtype: np.float64, device }).reshape([30, 20]);
    return Float64Array.from((await jit(grad(loss))(w, x).data()) as ArrayLike<number>);
  };
  const before = gemmCalls();
  const [onWasm, exact] = [await gradient("wasm"), await gradient("cpu")];
  assert.ok(gemmCalls() > before);
  const scale = Math.max(...exact.map(Math.abs));
  assert.ok(onWasm.every((v, i) => Math.abs(v - exact[i]) <= 1e-13 * scale));
});

test(
  "a long one-output sum of products (a squared norm) runs on the dot kernel; thin products and short sums stay " +
    "with jax-js",
  async () => {
    for (const dtype of ["float32", "float64-fast"] as const) {
      const xs = values(5003, 5);
      const before = gemmCalls();
      const squaredNorm = jit((x: np.Array) => np.sum(np.square(x)));
      const sum = (await squaredNorm(toDevice(xs, [5003], precisionOf(dtype))).data())[0];
      squaredNorm.dispose();
      assert.equal(gemmCalls() - before, 1);
      const exact = xs.reduce((s, v) => s + v * v, 0);
      assert.ok(Math.abs(sum - exact) <= (dtype === "float32" ? 1e-6 : 1e-14) * exact, `${dtype}: ${sum} vs ${exact}`);
    }
    const before = gemmCalls();
    assert.equal((await np.dot(np.ones([200, 300]), np.ones([300, 2])).data())[0], 300);
    const shortNorm = jit((x: np.Array) => np.sum(np.square(x)));
    assert.equal((await shortNorm(np.ones([500])).data())[0], 500);
    shortNorm.dispose();
    assert.equal(gemmCalls(), before);
  },
);

test(
  "one MLP Adam step runs its 8 products on the GEMM and matches jax-js's own kernels to float32 " + "rounding",
  async () => {
    const precision = precisionOf("float32");
    const model = mlp(10, { width: 64 });
    const optimizer = book.adam(1e-3);
    const step = compileTrainStep(model, "cross-entropy", optimizer);
    const x = toDevice(values(32 * 784, 6), [32, 784], precision);
    const labels = new Float32Array(320).map((_, i) => (i % 10 === Math.floor(i / 10) % 10 ? 1 : 0));
    const y = toDevice(labels, [32, 10], precision);
    const run = async (useGemm: boolean) => {
      setGemmEnabled(useGemm);
      const state = initTrainState(model, random.randomKey(0), [784], precision, optimizer);
      const [next, stats] = await step.runAsync(state, x.ref, y.ref);
      const leaves = leavesWithPaths(next.params).map(({ leaf }) => leaf.ref.dataSync());
      const weights = Float64Array.from(leaves.flatMap((leaf) => Array.from(leaf)));
      disposeTree(next as unknown as Tree);
      return { weights, gradNormSq: stats.gradNormSq };
    };
    try {
      const before = gemmCalls();
      const fast = await run(true);
      // 3 forward products, 3 weight gradients, 2 input gradients; 2 squared norms of the weight
      // gradients (784×64 and 64×64; the 64×10 one and the biases are under the dot kernel's minimum).
      assert.equal(gemmCalls() - before, 10);
      const reference = await run(false);
      // Same maths, different float32 summation order: 1e-5 relative on the gradient norms.
      fast.gradNormSq.forEach((v, i) =>
        assert.ok(Math.abs(v - reference.gradNormSq[i]) <= 1e-5 * reference.gradNormSq[i], `layer ${i}`),
      );
      assert.ok(fast.weights.every((v, i) => Math.abs(v - reference.weights[i]) <= 1e-6));
    } finally {
      setGemmEnabled(true);
      step.dispose();
      x.dispose();
      y.dispose();
    }
  },
);

test(
  "epilogues with a full or transposed added view, and ReLU alone, run on the GEMM and are exact in " + "float64",
  async () => {
    const precision = precisionOf("float64-fast");
    const [M, K, N] = [30, 41, 27];
    const [xs, ws, rs] = [values(M * K, 7), values(K * N, 8), values(M * N, 9)];
    const product = (m: number, n: number) => xs.slice(m * K, m * K + K).reduce((s, v, k) => s + v * ws[k * N + n], 0);
    const cases: [string, (y: np.Array, r: np.Array) => np.Array, number[], (m: number, n: number) => number][] = [
      ["y + r", (y, r) => np.add(y, r), [M, N], (m, n) => product(m, n) + rs[m * N + n]],
      ["y + rᵀ", (y, r) => np.add(y, np.transpose(r)), [N, M], (m, n) => product(m, n) + rs[n * M + m]],
      ["relu(y)", (y, r) => (r.dispose(), np.maximum(y, 0)), [M, N], (m, n) => Math.max(product(m, n), 0)],
    ];
    for (const [name, epilogue, rShape, expected] of cases) {
      const f = jit((x: np.Array, w: np.Array, r: np.Array) => epilogue(np.dot(x, w), r));
      const before = gemmCalls();
      const out = await f(
        toDevice(xs, [M, K], precision),
        toDevice(ws, [K, N], precision),
        toDevice(rs, rShape, precision),
      ).data();
      assert.equal(gemmCalls() - before, 1, name);
      for (let m = 0; m < M; m++)
        for (let n = 0; n < N; n++)
          assert.ok(Math.abs(out[m * N + n] - expected(m, n)) < 1e-13, `${name} at ${m},${n}`);
      f.dispose();
    }
  },
);
