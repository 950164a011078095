import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { jit, numpy as np } from "@jax-js/jax";
import { gemmStatus, precisionOf, startEngine, toDevice } from "../../src/engine/index.js";
import { setProgramCacheEnabled, setProgramRunnerEnabled } from "../../src/engine/gemm/hook.js";

before(async () => {
  await startEngine();
  // The program runner prepares each kernel once per program, so replays would not prepare at all.
  setProgramRunnerEnabled(false);
});
after(() => setProgramRunnerEnabled(true));

const input = () =>
  toDevice(
    Array.from({ length: 300 }, (_, i) => Math.sin(i)),
    [300],
    precisionOf("float32"),
  );

test("jax-js's own kernels are prepared from the per-Kernel cache on replay, with the same results", async () => {
  const f = jit((x: np.Array) => np.exp(x.ref).mul(x).add(0.5).sum());
  setProgramCacheEnabled(false);
  const uncached = await f(input()).data();
  const reusedBefore = gemmStatus().programsReused;
  await f(input()).data();
  assert.equal(gemmStatus().programsReused, reusedBefore, "cache off: every kernel hashed and looked up by jax-js");
  setProgramCacheEnabled(true);
  await f(input()).data(); // the first preparation with the cache on fills it
  const filled = gemmStatus().programsReused;
  const cached = await f(input()).data();
  assert.ok(gemmStatus().programsReused > filled, "cache on: the replayed kernels come from the cache");
  assert.deepEqual(cached, uncached);
  f.dispose();
});
