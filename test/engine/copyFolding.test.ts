import { test, before } from "node:test";
import assert from "node:assert/strict";
import { grad, jit, numpy as np } from "@jax-js/jax";
import { gemmStatus, precisionOf, startEngine, toDevice } from "../../src/engine/index.js";
import { setCopyFoldingEnabled } from "../../src/engine/gemm/hook.js";

before(async () => {
  await startEngine();
});

const f32 = precisionOf("float32");
const [m, k, h, n] = [40, 24, 36, 20];
const xs = Array.from({ length: m * k }, (_, i) => Math.sin(0.7 * i));
const w1s = Array.from({ length: k * h }, (_, i) => Math.cos(0.3 * i));
const w2s = Array.from({ length: h * n }, (_, i) => Math.cos(0.11 * i + 1));

/** sum(y²) with y = relu(x·W1)·W2: its gradient needs W2 for the forward product and dY·W2ᵀ. */
const loss = (w1: np.Array, w2: np.Array, x: np.Array) => {
  const y = np.matmul(np.maximum(np.matmul(x, w1), 0), w2);
  return y.ref.mul(y).sum();
};

/** [dW1, dW2] of jit(grad(loss)), and how many copies were folded into products on the way. */
async function gradients(): Promise<{ dw: Float32Array[]; folded: number }> {
  const before = gemmStatus().copiesFolded;
  const g = jit(grad(loss, { argnums: [0, 1] }));
  const [dw1, dw2] = g(toDevice(w1s, [k, h], f32), toDevice(w2s, [h, n], f32), toDevice(xs, [m, k], f32));
  const dw = [(await dw1.data()) as Float32Array, (await dw2.data()) as Float32Array];
  g.dispose();
  return { dw, folded: gemmStatus().copiesFolded - before };
}

test("W2ᵀ, a copy read only by products, is folded into them: bit-identical, equal to float64 reference", async () => {
  assert.equal(gemmStatus().rewriteError, undefined);
  setCopyFoldingEnabled(false);
  const kept = await gradients();
  setCopyFoldingEnabled(true);
  const folded = await gradients();
  assert.equal(kept.folded, 0, "no folding when it is switched off");
  assert.equal(folded.folded, 1, "jax-js's materialised W2ᵀ is folded into the forward and backward products");
  folded.dw.forEach((d, i) => assert.deepEqual(d, kept.dw[i], `dW${i + 1}`));
  // Host float64 reference: z = x·W1, a = relu(z), y = a·W2, dY = 2y, dW2 = aᵀ·dY, dW1 = xᵀ·((dY·W2ᵀ) ⊙ [z > 0]).
  const z = new Float64Array(m * h);
  for (let r = 0; r < m; r++)
    for (let c = 0; c < h; c++) for (let j = 0; j < k; j++) z[r * h + c] += xs[r * k + j] * w1s[j * h + c];
  const dy = new Float64Array(m * n);
  for (let r = 0; r < m; r++)
    for (let c = 0; c < n; c++) {
      for (let j = 0; j < h; j++) dy[r * n + c] += Math.max(z[r * h + j], 0) * w2s[j * n + c];
      dy[r * n + c] *= 2;
    }
  const close = (got: number, want: number, what: string) =>
    assert.ok(Math.abs(got - want) <= 1e-4 * (1 + Math.abs(want)), `${what}: ${got} vs ${want}`);
  for (let j = 0; j < h; j++)
    for (let c = 0; c < n; c++) {
      let want = 0;
      for (let r = 0; r < m; r++) want += Math.max(z[r * h + j], 0) * dy[r * n + c];
      close(folded.dw[1][j * n + c], want, `dW2[${j}, ${c}]`);
    }
  for (let j = 0; j < k; j++)
    for (let c = 0; c < h; c++) {
      let want = 0;
      for (let r = 0; r < m; r++) {
        if (z[r * h + c] <= 0) continue;
        let da = 0;
        for (let q = 0; q < n; q++) da += dy[r * n + q] * w2s[c * n + q];
        want += xs[r * k + j] * da;
      }
      close(folded.dw[0][j * h + c], want, `dW1[${j}, ${c}]`);
    }
});
