/**
 * Descent's thread pool for the GEMM (src/engine/threads/): the tile split, the start-up decisions and
 * fallbacks, and, with DESCENT_THREADS=2, products and 3 MLP Adam steps bit-identical on 1 and 2 threads.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { numpy as np } from "@jax-js/jax";

// The preload reads DESCENT_THREADS when it loads, before jax-js: hence the dynamic imports.
process.env.DESCENT_THREADS = "2";
await import("../../src/engine/nodeSetup.js");
const { grad, jit, numpy } = await import("@jax-js/jax");
const engine = await import("../../src/engine/index.js");
const threads = await import("../../src/engine/threads/install.js");
const { itemPlan, tilePlan, tileRange, MIN_TILE } = await import("../../src/engine/threads/tiles.js");
const { parseThreads, sharedMemoryRefusal } = await import("../../src/engine/threads/preload.js");
const { poolPaysOff, GAIN_RATIO } = await import("../../src/engine/threads/calibrate.js");
const { withSharedMemory } = await import("../../src/engine/threads/sharedImport.js");
const { pointerProbeBytes } = await import("../../src/engine/gemm/pointerProbe.js");
const { setViewSumThreadsEnabled } = await import("../../src/engine/gemm/hook.js");
const { im2colPatches } = await import("../../src/nn/conv.js");
const { cnn, mlp } = await import("../../src/nn/index.js");
const { book } = await import("../../src/optim/index.js");
const { compileTrainStep, initTrainState } = await import("../../src/train/index.js");

before(async () => {
  await engine.startEngine();
  await threads.threadsReady();
});
after(async () => {
  await threads.stopThreads();
});

test("tiles cover every row or column of C exactly once, aligned to the register tile", () => {
  for (const [M, N] of [
    [1, 1],
    [4, 4],
    [7, 300],
    [300, 7],
    [131, 263],
    [128, 256],
    [784, 256],
    [1000, 9],
  ])
    for (const dtype of ["float32", "float64"] as const)
      for (const count of [2, 3, 8]) {
        const plan = tilePlan(M, N, dtype, count);
        assert.equal(plan.axis, N > M ? "columns" : "rows");
        const covered = new Int32Array(M * N);
        for (let t = 0; t < plan.count; t++) {
          const [m0, m1, n0, n1] = tileRange(plan, t, M, N);
          assert.ok(m1 > m0 && n1 > n0, `tile ${t} of ${M}×${N} is empty`);
          const align: number = plan.axis === "rows" ? 4 : dtype === "float32" ? 8 : 4;
          assert.equal((plan.axis === "rows" ? m0 : n0) % align, 0);
          for (let m = m0; m < m1; m++) for (let n = n0; n < n1; n++) covered[m * N + n]++;
        }
        assert.ok(
          covered.every((c) => c === 1),
          `${M}×${N} on ${count} threads`,
        );
        const length = plan.axis === "rows" ? M : N;
        assert.ok(plan.size >= Math.min(length, MIN_TILE));
      }
  // The MLP's first layer (128×256): more tiles than threads, so a late thread cannot stall the step.
  assert.deepEqual(tilePlan(128, 256, "float32", 2), { axis: "columns", size: 64, count: 4 });
});

test("item tiles of jax-js's kernels cover every work item once, at its chunk alignment", () => {
  for (const [items, alignment] of [
    [32, 16],
    [1000, 16],
    [1 << 20, 16],
    [50_000, 4096],
    [12_544, 64],
  ])
    for (const threads of [2, 3, 8]) {
      const plan = itemPlan(items, alignment, threads);
      assert.equal(plan.axis, "items");
      const seen = new Uint8Array(items);
      for (let t = 0; t < plan.count; t++) {
        const [begin, end] = tileRange(plan, t, items, 3);
        assert.equal(begin % alignment, 0);
        assert.ok(end > begin);
        for (let i = begin; i < end; i++) seen[i]++;
      }
      assert.ok(
        seen.every((c) => c === 1),
        `${items} items, alignment ${alignment}, ${threads} threads`,
      );
    }
});

test("DESCENT_THREADS and the shared-memory preconditions are read as documented", () => {
  assert.equal(parseThreads(undefined), 0);
  assert.equal(parseThreads(" "), 0);
  assert.equal(parseThreads("3"), 3);
  assert.throws(() => parseThreads("two"), /DESCENT_THREADS must be a positive integer, got "two"/);
  assert.throws(() => parseThreads("0"), /positive integer/);
  const node = { SharedArrayBuffer };
  assert.equal(sharedMemoryRefusal({}, node), undefined);
  assert.equal(sharedMemoryRefusal({ DESCENT_THREADS: "1" }, node), "DESCENT_THREADS=1");
  assert.match(sharedMemoryRefusal({ DESCENT_GEMM: "0" }, node)!, /DESCENT_GEMM=0/);
  assert.equal(sharedMemoryRefusal({}, {}), "no SharedArrayBuffer");
  assert.match(sharedMemoryRefusal({}, { ...node, Worker: class {} })!, /jax-js runs its own pool/);
});

test("the calibration keeps the pool only when it takes at most 80 % of the one-thread time", () => {
  assert.equal(GAIN_RATIO, 0.8);
  assert.equal(poolPaysOff(1, 0.55), true);
  assert.equal(poolPaysOff(1, 0.8), true);
  assert.equal(poolPaysOff(1, 0.81), false);
  assert.equal(poolPaysOff(0.3, 0.42), false);
});

test("withSharedMemory lets a module written for a plain memory link with a shared one", () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
  const plain = new WebAssembly.Module(pointerProbeBytes());
  assert.throws(() => new WebAssembly.Instance(plain, { env: { memory } }), WebAssembly.LinkError);
  const shared = new WebAssembly.Module(withSharedMemory(pointerProbeBytes()));
  const { kernel } = new WebAssembly.Instance(shared, { env: { memory } }).exports as {
    kernel: (...pointers: number[]) => void;
  };
  kernel(64, 1024, 2048); // writes the addresses after the first into the buffer at the first
  assert.deepEqual(Array.from(new Int32Array(memory.buffer, 68, 2)), [1024, 2048]);
});

test("setThreads(n) takes a positive integer, before startEngine only", () => {
  assert.throws(() => engine.setThreads(0), /setThreads needs a positive integer, got 0/);
  assert.throws(() => engine.setThreads(1.5), engine.ThreadConfigError);
  assert.throws(() => engine.setThreads(2), /must be called before startEngine\(\)/);
});

test("DESCENT_THREADS=2 starts a pool of 2 on jax-js's shared memory", () => {
  const status = threads.threadStatus();
  assert.equal(status.threads, 2, status.reason);
  assert.equal(status.reason, "DESCENT_THREADS=2");
  assert.equal(status.sharedMemory, true);
  assert.equal(status.calibration, undefined);
});

const values = (n: number, phase: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(1.3 * i + phase));
const bits = (a: Float32Array | Float64Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.byteLength / 4));

for (const dtype of ["float32", "float64"] as const)
  test(`${dtype} products (odd sizes, transposed, bias, ReLU): same bits on 1 and 2 threads`, async () => {
    const precision = engine.precisionOf(dtype === "float32" ? "float32" : "float64-fast");
    const [M, K, N] = [131, 517, 263];
    const layer = jit((x: np.Array, w: np.Array, b: np.Array) => numpy.maximum(numpy.add(numpy.dot(x, w), b), 0));
    const gram = jit((x: np.Array) => numpy.dot(x.ref.transpose(), x));
    const run = async () => {
      const x = engine.toDevice(values(M * K, 0), [M, K], precision);
      const w = engine.toDevice(values(K * N, 1), [K, N], precision);
      const b = engine.toDevice(values(N, 2), [N], precision);
      return [await layer(x.ref, w, b).data(), await gram(x).data()];
    };
    const jobs = threads.threadStatus().jobs;
    const pooled = await run();
    assert.equal(threads.threadStatus().jobs - jobs, 2, "both products ran on the pool");
    threads.setThreadsEnabled(false);
    const single = await run();
    threads.setThreadsEnabled(true);
    assert.equal(threads.threadStatus().jobs - jobs, 2, "with the pool off, the products ran on one thread");
    for (let i = 0; i < 2; i++) assert.deepEqual(bits(pooled[i]), bits(single[i]));
    layer.dispose();
    gram.dispose();
  });

test("jax-js's large kernels (division by a transpose, row sums): same bits on 1 and 2 threads", async () => {
  const f32 = engine.precisionOf("float32");
  const [rows, cols] = [768, 768];
  // The transposed read keeps this kernel jax-js's own (kernelMerge.ts takes only contiguous reads).
  const elementwise = jit((a: np.Array, b: np.Array) =>
    numpy.add(numpy.divide(a.ref, numpy.transpose(b)), numpy.sqrt(numpy.abs(a))),
  );
  const rowSums = jit((a: np.Array) => numpy.sum(numpy.exp(a), 1));
  const run = async () => {
    const a = engine.toDevice(values(rows * cols, 7), [rows, cols], f32);
    const b = engine.toDevice(
      values(rows * cols, 8).map((v) => v + 2),
      [rows, cols],
      f32,
    );
    return [await elementwise(a.ref, b).data(), await rowSums(a).data()];
  };
  const jobs = threads.threadStatus().jobs;
  const pooled = await run();
  assert.equal(threads.threadStatus().jobs - jobs, 2, "both kernels ran on the pool");
  threads.setThreadsEnabled(false);
  const single = await run();
  threads.setThreadsEnabled(true);
  assert.equal(threads.threadStatus().jobs - jobs, 2);
  for (let i = 0; i < 2; i++) assert.deepEqual(bits(pooled[i]), bits(single[i]));
  elementwise.dispose();
  rowSums.dispose();
});

test("Adam's merged update (m′, v′, θ′ in one kernel, 2¹⁹ parameters): same bits on 1 and 2 threads", async () => {
  const f32 = engine.precisionOf("float32");
  const n = 1 << 19;
  const optimizer = book.adam(1e-3);
  const update = jit((p: np.Array, g: np.Array, s: unknown) => {
    const [u, next] = optimizer.update(g, s as never, p.ref as never);
    return [numpy.add(p, u as np.Array), next];
  });
  const run = async () => {
    let p = engine.toDevice(values(n, 11), [n], f32);
    let s: unknown = optimizer.init(p.ref as never);
    for (let step = 0; step < 2; step++)
      [p, s] = update(p, engine.toDevice(values(n, 12 + step), [n], f32), s as never) as unknown as [np.Array, unknown];
    engine.disposeTree(s as never);
    return p.data();
  };
  const before = { jobs: threads.threadStatus().jobs, merged: engine.gemmStatus().kernelsMerged };
  const pooled = await run();
  assert.ok(engine.gemmStatus().kernelsMerged > before.merged, "the update ran as a merged kernel");
  // Per step: the merged kernel and θ + u (jax-js's own), each split over the pool (2 without the merged one).
  assert.ok(threads.threadStatus().jobs - before.jobs >= 4, "the merged kernel ran on the pool");
  threads.setThreadsEnabled(false);
  const jobs = threads.threadStatus().jobs;
  const single = await run();
  threads.setThreadsEnabled(true);
  assert.equal(threads.threadStatus().jobs, jobs, "one thread");
  assert.deepEqual(bits(await pooled), bits(await single));
  update.dispose();
});

test("view sums (im2col patches, their masked gradient) split by rows: same bits on 1 and 2 threads", async () => {
  const f32 = engine.precisionOf("float32");
  const shape = [16, 28, 28, 16];
  const size = shape.reduce((a, b) => a * b, 1);
  // Exact zeros: the ReLU mask keeps 0 < x only.
  const x = engine.toDevice(
    values(size, 13).map((v, i) => (i % 5 ? v : 0)),
    shape,
    f32,
  );
  const w = engine.toDevice(values(size * 9, 14), [16, 28, 28, 144], f32);
  const patches = (v: np.Array) =>
    im2colPatches(
      numpy.pad(v, [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ]),
      3,
      1,
      28,
      28,
    );
  const run = async () => {
    const value = jit(patches);
    const gradient = jit(grad((v: np.Array) => patches(numpy.maximum(0, v)).mul(w.ref).sum()));
    const out = [await value(x.ref).data(), await gradient(x.ref).data()];
    value.dispose();
    gradient.dispose();
    return out;
  };
  const jobs = threads.threadStatus().jobs;
  const pooled = await run();
  const pooledJobs = threads.threadStatus().jobs - jobs;
  setViewSumThreadsEnabled(false);
  const single = await run();
  setViewSumThreadsEnabled(true);
  // The patches (the pad folded in) and the gradient's masked sum of windows: 2¹⁸ elements and more each.
  const singleJobs = threads.threadStatus().jobs - jobs - pooledJobs;
  assert.ok(pooledJobs - singleJobs >= 2, `${pooledJobs} kernels ran on the pool, ${singleJobs} with the switch off`);
  for (let i = 0; i < 2; i++) assert.deepEqual(bits(pooled[i]), bits(single[i]));
  engine.disposeTree([x, w]);
});

/** The parameters (on the host) after `steps` Adam steps from a fixed start, with the pool on or off. */
async function adamSteps(
  model: ReturnType<typeof mlp>,
  inputShape: number[],
  x: np.Array,
  y: np.Array,
  steps: number,
  pooled: boolean,
) {
  threads.setThreadsEnabled(pooled);
  const optimizer = book.adam(1e-3);
  let state = initTrainState(model, engine.random.randomKey(0), inputShape, engine.precisionOf("float32"), optimizer);
  const step = compileTrainStep(model, "cross-entropy", optimizer);
  for (let i = 0; i < steps; i++) [state] = await step.runAsync(state, x.ref, y.ref);
  step.dispose();
  const host = engine.treeToHost(state.params);
  engine.disposeTree([state.modelState, state.optState]);
  return host;
}

test("3 Adam steps of the MLP (784-256-256-10, batch 128) : same parameters on 1 and 2 threads", async () => {
  const f32 = engine.precisionOf("float32");
  const model = mlp(10);
  const x = engine.toDevice(values(128 * 784, 3), [128, 784], f32);
  const labels = new Float32Array(128 * 10).map((_, i) => (Math.floor(i / 10) % 7 === i % 10 ? 1 : 0));
  const y = engine.toDevice(labels, [128, 10], f32);
  const train = (pooled: boolean) => adamSteps(model, [784], x, y, 3, pooled);
  const jobs = threads.threadStatus().jobs;
  const pooled = await train(true);
  // Five of the step's eight products are large enough for the pool (the 10-wide layer's are not).
  assert.equal(threads.threadStatus().jobs - jobs, 15);
  const single = await train(false);
  threads.setThreadsEnabled(true);
  assert.equal(threads.threadStatus().jobs - jobs, 15);
  assert.equal(pooled.size, 6);
  for (const [path, tensor] of pooled) assert.deepEqual(bits(tensor.data), bits(single.get(path)!.data), path);
  engine.disposeTree([x, y]);
});

test("2 CNN Adam steps (batch 32, products and kernels split): same parameters on 1 and 2 threads", async () => {
  const f32 = engine.precisionOf("float32");
  const model = cnn(10);
  const x = engine.toDevice(values(32 * 28 * 28, 9), [32, 28, 28, 1], f32);
  const labels = new Float32Array(32 * 10).map((_, i) => (Math.floor(i / 10) % 7 === i % 10 ? 1 : 0));
  const y = engine.toDevice(labels, [32, 10], f32);
  const train = (pooled: boolean) => adamSteps(model, [28, 28, 1], x, y, 2, pooled);
  const jobs = threads.threadStatus().jobs;
  const pooled = await train(true);
  const pooledJobs = threads.threadStatus().jobs - jobs;
  // Per step: the second conv's three products and jax-js's large kernels (fewer since max pooling
  // became a maximum of window views: its reduce-max gradient's full-size kernels are gone).
  assert.ok(pooledJobs >= 2 * 4, `${pooledJobs} kernels ran on the pool in 2 steps`);
  const single = await train(false);
  threads.setThreadsEnabled(true);
  assert.equal(threads.threadStatus().jobs - jobs, pooledJobs);
  for (const [path, tensor] of pooled) assert.deepEqual(bits(tensor.data), bits(single.get(path)!.data), path);
  engine.disposeTree([x, y]);
});

const child = (mode: string, env: Record<string, string | undefined>) => {
  const script = fileURLToPath(new URL("./threadsChild.ts", import.meta.url));
  const run = spawnSync(process.execPath, ["--import", "tsx", script, mode], {
    encoding: "utf8",
    env: { ...process.env, DESCENT_THREADS: undefined, ...env },
    timeout: 120_000,
  });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout.trim().split("\n").pop()!) as {
    atStart: string;
    status: ReturnType<typeof threads.threadStatus>;
    productOk: boolean;
  };
};

test("the pool starts without holding up startEngine, and a process with a running pool exits by itself", () => {
  const { atStart, status, productOk } = child("plain", { DESCENT_THREADS: "2" });
  assert.equal(atStart, "starting");
  assert.equal(status.threads, 2, status.reason);
  assert.equal(status.jobs, 1);
  assert.ok(productOk);
});

test("without DESCENT_THREADS the start-up calibration decides, and says so", () => {
  const { status, productOk } = child("plain", {});
  assert.ok(productOk);
  const calibration = status.calibration!;
  assert.ok(calibration.oneMs > 0 && calibration.poolMs > 0 && Number.isFinite(calibration.poolMs));
  assert.equal(calibration.gain, poolPaysOff(calibration.oneMs, calibration.poolMs));
  assert.equal(status.threads, calibration.gain ? 2 : 1);
  assert.match(status.reason, calibration.gain ? /the pool is faster/ : /no gain/);
});

test("setThreads(n) before startEngine overrides DESCENT_THREADS and the calibration", () => {
  const one = child("set-1", { DESCENT_THREADS: "2" });
  assert.deepEqual([one.status.threads, one.status.reason, one.status.sharedMemory], [1, "setThreads(1)", true]);
  const two = child("set-2", {});
  assert.deepEqual([two.status.threads, two.status.reason, two.status.calibration], [2, "setThreads(2)", undefined]);
  assert.ok(one.productOk && two.productOk);
});

test("fallbacks: DESCENT_THREADS=1, no SharedArrayBuffer, jax-js first: 1 thread, right products", () => {
  for (const [mode, env, reason] of [
    ["plain", { DESCENT_THREADS: "1" }, /^DESCENT_THREADS=1$/],
    ["no-sab", {}, /^no SharedArrayBuffer$/],
    ["jax-first", { DESCENT_THREADS: "2" }, /jax-js was loaded before/],
  ] as const) {
    const { status, productOk } = child(mode, env);
    assert.equal(status.threads, 1, mode);
    assert.match(status.reason, reason, mode);
    assert.equal(status.sharedMemory, false, mode);
    assert.ok(productOk, mode);
  }
});

test("after stopThreads, products prepared for the pool run on the main thread, with the same bits", async () => {
  const f32 = engine.precisionOf("float32");
  const f = jit((x: np.Array, w: np.Array) => numpy.dot(x, w));
  const x = engine.toDevice(values(128 * 300, 5), [128, 300], f32);
  const w = engine.toDevice(values(300 * 256, 6), [300, 256], f32);
  const pooled = await f(x.ref, w.ref).data();
  await threads.stopThreads();
  assert.equal(threads.threadStatus().threads, 1);
  assert.deepEqual(bits(await f(x, w).data()), bits(pooled));
  f.dispose();
});
