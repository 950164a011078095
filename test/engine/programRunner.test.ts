import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { jit, numpy as np } from "@jax-js/jax";
import {
  disposeTree,
  gemmStatus,
  precisionOf,
  random,
  startEngine,
  toDevice,
  treeToHost,
} from "../../src/engine/index.js";
import { setProgramRunnerEnabled } from "../../src/engine/gemm/hook.js";
import { PROBE_POINTERS } from "../../src/engine/gemm/pointerProbe.js";
import { linear, mlp, rnn, sequential, type Layer } from "../../src/nn/index.js";
import { book } from "../../src/optim/index.js";
import { compileTrainStep, initTrainState, type TrainState } from "../../src/train/index.js";

before(async () => {
  await startEngine();
});
after(() => setProgramRunnerEnabled(true));

const f32 = precisionOf("float32");
const vector = (n: number, phase: number) =>
  toDevice(
    Array.from({ length: n }, (_, i) => Math.sin(1.3 * i + phase)),
    [n],
    f32,
  );

test("the program runner is installed and runs jit programs' kernels directly", async () => {
  const status = gemmStatus();
  assert.equal(status.runnerError, undefined, status.runnerError);
  setProgramRunnerEnabled(true);
  const f = jit((a: np.Array, b: np.Array) => np.exp(a.ref).mul(b.ref).add(a).sum().add(np.max(b)));
  const before = gemmStatus();
  const value = await f(vector(300, 0), vector(300, 1)).data();
  const after = gemmStatus();
  assert.equal(after.programRuns - before.programRuns, 1);
  assert.ok(after.directKernels - before.directKernels >= 2, "both reductions run on reused instances");
  setProgramRunnerEnabled(false);
  const own = await f(vector(300, 0), vector(300, 1)).data();
  assert.equal(gemmStatus().programRuns, after.programRuns, "off: jax-js's own PendingExecutes");
  assert.deepEqual(value, own);
  setProgramRunnerEnabled(true);
  f.dispose();
});

test("ownership: inputs disposed before the run stay alive for it; outputs dropped unread run nothing", async () => {
  setProgramRunnerEnabled(true);
  const f = jit((a: np.Array) => a.ref.mul(a).add(1));
  const x = vector(64, 2);
  const expected = (await x.ref.data()) as Float32Array;
  const y = f(x); // jit consumes x: only the pending run holds its buffer now
  const runs = gemmStatus().programRuns;
  const got = (await y.data()) as Float32Array;
  assert.equal(gemmStatus().programRuns, runs + 1);
  got.forEach((v, i) => assert.equal(v, Math.fround(Math.fround(expected[i] * expected[i]) + 1)));
  f(vector(64, 3)).dispose();
  assert.equal(gemmStatus().programRuns, runs + 1, "a disposed, unread output is never computed");
  const again = (await f(vector(64, 2)).data()) as Float32Array;
  assert.deepEqual(again, got, "the buffers released unrun leave the allocator consistent");
  f.dispose();
});

test("routines inside a jit program go through jax-js's dispatch, in program order", async () => {
  const f = jit((a: np.Array) => np.sort(a.ref.mul(-1)).add(np.exp(a).sum()));
  setProgramRunnerEnabled(false);
  const own = await f(vector(50, 4)).data();
  setProgramRunnerEnabled(true);
  const runs = gemmStatus().programRuns;
  const ran = await f(vector(50, 4)).data();
  assert.equal(gemmStatus().programRuns, runs + 1);
  assert.deepEqual(ran, own);
  f.dispose();
});

/** Loss history and final parameters of `steps` Adam steps (float32), with the runner on or off. */
async function trajectory(model: Layer, inputShape: number[], batch: number, runner: boolean, steps: number) {
  setProgramRunnerEnabled(runner);
  const optimizer = book.adam(1e-3);
  let state: TrainState = initTrainState(model, random.randomKey(0), inputShape, f32, optimizer);
  const size = inputShape.reduce((a, b) => a * b, 1);
  const x = toDevice(random.normal(random.randomKey(1), batch * size), [batch, ...inputShape], f32);
  const y = toDevice(random.normal(random.randomKey(2), batch), [batch, 1], f32);
  const step = compileTrainStep(model, "mse", optimizer);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const [next, stats] = await step.runAsync(state, x.ref, y.ref);
    state = next;
    losses.push(stats.loss);
  }
  const params = treeToHost(state.params);
  step.dispose();
  disposeTree([state.params, state.modelState, state.optState, x, y]);
  return { losses, params };
}

function assertSameBits(a: Awaited<ReturnType<typeof trajectory>>, b: Awaited<ReturnType<typeof trajectory>>) {
  assert.deepEqual(a.losses, b.losses);
  for (const [path, leaf] of a.params) assert.deepEqual(leaf.data, b.params.get(path)?.data, path);
}

test("an MLP Adam trajectory is bit-identical with the runner on and off", async () => {
  const model = () => mlp(1, { width: 32 });
  const off = await trajectory(model(), [20], 16, false, 3);
  const runs = gemmStatus().programRuns;
  const on = await trajectory(model(), [20], 16, true, 3);
  assert.equal(gemmStatus().programRuns - runs, 3);
  assertSameBits(on, off);
});

test(
  `an RNN step (> ${PROBE_POINTERS} buffers: several pointer probes) is bit-identical with the runner on and ` + `off`,
  async () => {
    const model = () => sequential(rnn(8, { lastOnly: true }), linear(1));
    const off = await trajectory(model(), [60, 3], 4, false, 2);
    const kernels = gemmStatus().directKernels;
    const on = await trajectory(model(), [60, 3], 4, true, 2);
    assert.ok(gemmStatus().directKernels - kernels > 2 * PROBE_POINTERS, "the step's kernels ran directly");
    assertSameBits(on, off);
  },
);
