import assert from "node:assert/strict";
import { it } from "node:test";
import { heapBytes } from "../train/wasmHeap.js"; // first: it must see jax-js create its memory

const { startEngine } = await import("../../src/engine/index.js");
const { minimize, numpy: np } = await import("../../src/browser.js");

it("the compiled first-order runner keeps the Wasm heap flat across runs and steps (no leaked buffers)", async () => {
  await startEngine();
  // ½‖θ‖² over 100 000 float32 entries: one leaked θ, gradient or state array per step is 400 kB.
  const x0 = new Float64Array(100_000).fill(1);
  const run = () =>
    minimize((x) => np.square(x).sum().mul(0.5), x0, { method: "book.adam", dtype: "float32", maxIter: 40 });
  run();
  const before = heapBytes();
  for (let i = 0; i < 3; i++) assert.equal(run().nit, 40);
  // 3 runs × 40 steps of one leaked 400 kB array would add 48 MB.
  assert.ok(heapBytes() - before <= 4 * 2 ** 20, `Wasm heap grew from ${before} to ${heapBytes()} bytes`);
});
