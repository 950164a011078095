import { test, before } from "node:test";
import assert from "node:assert/strict";
import { grad, jit, numpy as np } from "@jax-js/jax";
import {
  disposeTree,
  gemmCalls,
  gemmStatus,
  precisionOf,
  random,
  startEngine,
  toDevice,
} from "../../src/engine/index.js";
import { setCopyElisionEnabled, setCopyFoldingEnabled, setTransposeFusionEnabled } from "../../src/engine/gemm/hook.js";
import { cnn, mlp } from "../../src/nn/index.js";
import { book } from "../../src/optim/index.js";
import { compileTrainStep, initTrainState, type TrainState } from "../../src/train/index.js";

before(async () => {
  await startEngine();
});

const f32 = precisionOf("float32");

const leavesOf = (t: unknown): np.Array[] =>
  Array.isArray(t)
    ? t.flatMap(leavesOf)
    : t && typeof t === "object" && !("shape" in t)
      ? Object.values(t).flatMap(leavesOf)
      : [t as np.Array];

/** Parameters after `steps` MLP 784-256-256-10 Adam steps (batch 128), all leaves read back. */
async function mlpTrajectory(steps: number, model = mlp(10), inputShape = [784], batch = 128): Promise<Float32Array[]> {
  const optimizer = book.adam(1e-3);
  let state: TrainState = initTrainState(model, random.randomKey(0), inputShape, f32, optimizer);
  const size = inputShape.reduce((a, b) => a * b, 1);
  const x = toDevice(random.normal(random.randomKey(1), batch * size), [batch, ...inputShape], f32);
  const labels = new Float32Array(batch * 10).map((_, i) => (Math.floor(i / 10) % 7 === i % 10 ? 1 : 0));
  const y = toDevice(labels, [batch, 10], f32);
  const step = compileTrainStep(model, "cross-entropy", optimizer);
  for (let i = 0; i < steps; i++) [state] = await step.runAsync(state, x.ref, y.ref);
  const leaves = [] as Float32Array[];
  for (const leaf of leavesOf(state.params)) leaves.push((await leaf.ref.data()) as Float32Array);
  step.dispose();
  disposeTree([state.params, state.modelState, state.optState, x, y]);
  return leaves;
}

test("MLP step: dW written by the GEMM directly, identity and Wᵀ copies skipped, bit-identical", async () => {
  assert.ok(gemmStatus().active, gemmStatus().reason);
  assert.equal(gemmStatus().rewriteError, undefined);
  setTransposeFusionEnabled(false);
  setCopyElisionEnabled(false);
  setCopyFoldingEnabled(false);
  const skipped = gemmStatus().transposeFusions;
  const elided = gemmStatus().copiesElided;
  const folded = gemmStatus().copiesFolded;
  const unfusedCalls = gemmCalls();
  const unfused = await mlpTrajectory(3);
  assert.equal(gemmStatus().transposeFusions, skipped, "the copies run when the fusion is off");
  assert.equal(gemmStatus().copiesElided, elided, "the identity copies run when their elision is off");
  assert.equal(gemmStatus().copiesFolded, folded, "the copies of W2 and W3 run when their folding is off");
  const callsPerRun = gemmCalls() - unfusedCalls;
  setTransposeFusionEnabled(true);
  setCopyElisionEnabled(true);
  setCopyFoldingEnabled(true);
  const before = gemmStatus().transposeFusions;
  const elidedBefore = gemmStatus().copiesElided;
  const foldedBefore = gemmStatus().copiesFolded;
  const calls = gemmCalls();
  const fused = await mlpTrajectory(3);
  // dW of the three dense layers, in each of the 3 steps: each was a GEMM writing dWᵀ and a copy transposing it.
  assert.equal(gemmStatus().transposeFusions - before, 3 * 3);
  // Per step: copies of X and of the labels, X reshaped to [128, 1, 784], the two hidden activations
  // reshaped to [128, 1, 256], and one [128] column reshaped to [128, 1].
  assert.equal(gemmStatus().copiesElided - elidedBefore, 3 * 6);
  // Per step: the materialised W2ᵀ and W3ᵀ, read only by the forward and the dX products.
  assert.equal(gemmStatus().copiesFolded - foldedBefore, 3 * 2);
  assert.equal(gemmCalls() - calls, callsPerRun, "the same products run on our GEMM, now writing dW directly");
  assert.equal(fused.length, unfused.length);
  fused.forEach((leaf, i) => assert.deepEqual(leaf, unfused[i], `parameter leaf ${i}`));
});

test("CNN step: each conv's dW (a reshape of the transposed product) comes from the GEMM directly", async () => {
  const run = async (on: boolean) => {
    setTransposeFusionEnabled(on);
    const before = gemmStatus().transposeFusions;
    const leaves = await mlpTrajectory(2, cnn(10), [28, 28, 1], 4);
    setTransposeFusionEnabled(true);
    return { leaves, fusions: gemmStatus().transposeFusions - before };
  };
  const off = await run(false);
  const on = await run(true);
  assert.equal(off.fusions, 0);
  // Per step: the two convs' weights [3, 3, cin, cout] and the linear layer's.
  assert.equal(on.fusions, 2 * 3);
  on.leaves.forEach((leaf, i) => assert.deepEqual(leaf, off.leaves[i], `parameter leaf ${i}`));
});

test("a product read only through its transpose gives the transposed product, in every layout jit makes", async () => {
  // d/dW sum((X·W)²) = 2·Xᵀ·(X·W); checked against a float64 host reference.
  const [m, k, n] = [40, 24, 36];
  const xs = Array.from({ length: m * k }, (_, i) => Math.sin(0.7 * i));
  const ws = Array.from({ length: k * n }, (_, i) => Math.cos(0.3 * i));
  const loss = (w: np.Array, x: np.Array) => {
    const y = np.matmul(x, w);
    return y.ref.mul(y).sum();
  };
  const before = gemmStatus().transposeFusions;
  const g = jit(grad(loss));
  const out = (await g(toDevice(ws, [k, n], f32), toDevice(xs, [m, k], f32)).data()) as Float32Array;
  g.dispose();
  const xw = Array.from({ length: m * n }, (_, i) => {
    let s = 0;
    for (let j = 0; j < k; j++) s += xs[Math.floor(i / n) * k + j] * ws[j * n + (i % n)];
    return s;
  });
  for (let i = 0; i < k * n; i++) {
    let want = 0;
    for (let r = 0; r < m; r++) want += 2 * xs[r * k + Math.floor(i / n)] * xw[r * n + (i % n)];
    assert.ok(Math.abs(out[i] - want) <= 1e-4 * (1 + Math.abs(want)), `element ${i}: ${out[i]} vs ${want}`);
  }
  assert.ok(gemmStatus().transposeFusions - before <= 1, "at most the one dW product is fused");
});
