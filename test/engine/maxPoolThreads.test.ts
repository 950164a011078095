/**
 * The max-pooling kernels (src/engine/gemm/maxPoolRewrite.ts) on the thread pool: with DESCENT_THREADS=2
 * both are split by pooled rows, and give the same bits as on one thread.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import type { numpy as np } from "@jax-js/jax";

// The preload reads DESCENT_THREADS when it loads, before jax-js: hence the dynamic imports.
process.env.DESCENT_THREADS = "2";
await import("../../src/engine/nodeSetup.js");
const { jit, numpy, valueAndGrad } = await import("@jax-js/jax");
const engine = await import("../../src/engine/index.js");
const threads = await import("../../src/engine/threads/install.js");
const { maxPool2d } = await import("../../src/nn/index.js");

before(async () => {
  await engine.startEngine();
  await threads.threadsReady();
});
after(async () => {
  await threads.stopThreads();
});

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

test("max pooling's forward and backward kernels split by rows: same bits on 1 and 2 threads", async () => {
  const f32 = engine.precisionOf("float32");
  const shape = [32, 28, 28, 16];
  const size = shape.reduce((a, b) => a * b, 1);
  // Rounded values: many ties inside windows.
  const x = engine.toDevice(
    Float32Array.from({ length: size }, (_, i) => Math.round(3 * Math.sin(1.3 * i))),
    shape,
    f32,
  );
  const w = engine.toDevice(
    Float32Array.from({ length: size / 4 }, (_, i) => Math.cos(0.7 * i)),
    [32, 14, 14, 16],
    f32,
  );
  const layer = maxPool2d(2);
  const loss = (v: np.Array) =>
    numpy
      .maximum(layer.apply([], [], v, { train: true })[0], 0)
      .mul(w.ref)
      .sum();
  const run = async (pooled: boolean) => {
    threads.setThreadsEnabled(pooled);
    const f = jit(valueAndGrad(loss));
    const jobs = threads.threadStatus().jobs;
    const fused = engine.gemmStatus().poolsFused;
    const [value, dx] = f(x.ref) as [np.Array, np.Array];
    const out = [(await value.data()) as Float32Array, (await dx.data()) as Float32Array];
    f.dispose();
    return { out, jobs: threads.threadStatus().jobs - jobs, fused: engine.gemmStatus().poolsFused - fused };
  };
  const pooled = await run(true);
  const single = await run(false);
  threads.setThreadsEnabled(true);
  assert.equal(pooled.fused, 1, "the pooling ran as two kernels");
  // 448 rows of 1 792 and 2 688 elements each: both kernels reach the pool's threshold.
  assert.ok(pooled.jobs >= 2, `${pooled.jobs} kernels ran on the pool`);
  assert.equal(single.jobs, 0);
  for (let i = 0; i < 2; i++) assert.deepEqual(bits(pooled.out[i]), bits(single.out[i]));
  engine.disposeTree([x, w]);
});
