import { it } from "node:test";
import assert from "node:assert/strict";
import { heapBytes } from "./wasmHeap.js"; // first: it must see jax-js create its memory

const { precisionOf, random, startEngine, toDevice } = await import("../../src/engine/index.js");
const { mlp } = await import("../../src/nn/index.js");
const optim = await import("../../src/optim/index.js");
const { chain, clipByGlobalNorm, polyakAveraging } = optim;
const { adam, sgd } = optim.book;
const { compileTrainStep, initTrainState, compilePredict, train } = await import("../../src/train/index.js");

it("a training loop keeps the Wasm heap flat across hundreds of steps (no leaked buffers)", async () => {
  await startEngine();
  const precision = precisionOf("float32");
  const model = mlp(10, { width: 64, batchNorm: true });
  const optimizer = adam(1e-3);
  let state = initTrainState(model, random.randomKey(0), [784], precision, optimizer);
  const step = compileTrainStep(model, "cross-entropy", optimizer);
  const predict = compilePredict(model);
  const heapAt: number[] = [];
  const leaked: unknown[] = [];
  for (let i = 1; i <= 300; i++) {
    const x = toDevice(random.normal(random.randomKey(i), 32 * 784), [32, 784], precision);
    const y = toDevice(new Float32Array(320).fill(0.1), [32, 10], precision);
    if (process.env.DESCENT_LEAK_SELFTEST) leaked.push(x.ref);
    [state] = step.run(state, x, y);
    if (i % 50 === 0)
      predict.run(state.params, state.modelState, toDevice(new Float32Array(784), [1, 784], precision)).dispose();
    if (i === 50 || i === 300) heapAt.push(heapBytes());
  }
  // One leaked 32×784 float32 batch per step would add 25 MB over these 250 steps.
  assert.ok(heapAt[1] - heapAt[0] <= 2 ** 20, `Wasm heap grew from ${heapAt[0]} to ${heapAt[1]} bytes`);
});

it(
  "a run that throws frees its parameters and optimizer state (heap flat across failed runs, each optimizer " +
    "wrapper)",
  async () => {
    await startEngine();
    const precision = precisionOf("float32");
    // NaN inputs make the first step's loss NaN, and train() throws.
    const size = 64;
    const data = {
      name: "nan",
      x: new Float32Array(size * 784).fill(NaN),
      xShape: [784],
      y: Float32Array.from({ length: size }, (_, i) => i % 10),
      yShape: [],
      numClasses: 10,
      size,
    };
    const optimizers = {
      adam: () => adam(1e-3),
      "polyakAveraging(adam)": () => polyakAveraging(adam(1e-3), { kind: "uniform" }),
      "chain(clip, sgd)": () => chain(clipByGlobalNorm(1), sgd(0.1)),
    };
    const failOnce = async (optimizer: ReturnType<typeof adam>) => {
      await assert.rejects(
        train({ model: mlp(10, { width: 256 }), train: data, optimizer, epochs: 1, batchSize: 32, seed: 0, precision }),
        /not finite|NaN/i,
      );
    };
    for (const make of Object.values(optimizers)) await failOnce(make()); // compiles and warms every path once
    const before = heapBytes();
    for (let round = 0; round < 3; round++) for (const make of Object.values(optimizers)) await failOnce(make());
    // Each failed run holds 1.1 MB of θ (784-256-256-10, float32)
    // plus its optimizer state: 9 leaked runs would add > 10 MB.
    assert.ok(
      heapBytes() - before <= 2 ** 20,
      `Wasm heap grew from ${before} to ${heapBytes()} bytes over 9 failed runs`,
    );
  },
);
