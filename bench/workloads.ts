import { numpy as np, jit } from "@jax-js/jax";
import { disposeTree, precisionOf, random, refTree, toDevice, type Tree } from "../src/engine/index.js";
import { cnn, linear, mlp, rnn, sequential, type Layer } from "../src/nn/index.js";
import { applyUpdates, book } from "../src/optim/index.js";

const { adam } = book;
import { compileTrainStep, initTrainState, type LossKind, type TrainState } from "../src/train/index.js";

const precision = precisionOf("float32");
/** Untimed calls last at least this long before a workload is timed. */
const WARM_UP_MS = 1000;

/**
 * Median of `reps` timed calls after at least `warm` untimed ones and at least WARM_UP_MS of them, in ms: V8
 * tiers up our code and the pool workers' modules over the first calls (the MLP step read 3.2–3.6 ms after 20
 * calls and 2.6 ms after 300; 2026-11-30), and a training run is thousands of steps.
 */
export async function medianMs(fn: () => unknown, reps = 50, warm = 20): Promise<number> {
  const warmUntil = performance.now() + WARM_UP_MS;
  for (let i = 0; i < warm || performance.now() < warmUntil; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const randomArray = (seed: number, shape: number[]) =>
  toDevice(
    random.normal(
      random.randomKey(seed),
      shape.reduce((a, b) => a * b, 1),
    ),
    shape,
    precision,
  );

function oneHotArray(seed: number, n: number, classes: number) {
  const y = new Float32Array(n * classes);
  random.randint(random.randomKey(seed), n, classes).forEach((c, i) => (y[i * classes + c] = 1));
  return toDevice(y, [n, classes], precision);
}

/** One training step of `model` (forward + backward + Adam lr 1e-3), as the Trainer runs it, on one fixed batch. */
async function stepMs(
  model: Layer,
  inputShape: number[],
  x: np.Array,
  y: np.Array,
  kind: LossKind,
  reps: number,
): Promise<number> {
  const optimizer = adam(1e-3);
  let state: TrainState = initTrainState(model, random.randomKey(0), inputShape, precision, optimizer);
  const step = compileTrainStep(model, kind, optimizer);
  const ms = await medianMs(async () => {
    const [next] = await step.runAsync(state, x.ref, y.ref);
    state = next;
  }, reps);
  step.dispose();
  x.dispose();
  y.dispose();
  for (const t of [state.params, state.modelState, state.optState]) disposeTree(t);
  return ms;
}

/** The MLP 784-width-width-10 step at a given batch size (for the cost curve). */
export const mlpStepMs = (batch: number, width: number, reps: number) =>
  stepMs(mlp(10, { width }), [784], randomArray(1, [batch, 784]), oneHotArray(2, batch, 10), "cross-entropy", reps);

/** torch_peer.py's workloads (see its header), with the same shapes and optimizer. */
export const workloads = {
  mlp_adam_step_ms: (reps: number) =>
    stepMs(mlp(10), [784], randomArray(1, [128, 784]), oneHotArray(2, 128, 10), "cross-entropy", reps),
  mlp_bn_adam_step_ms: (reps: number) =>
    stepMs(
      mlp(10, { batchNorm: true }),
      [784],
      randomArray(1, [128, 784]),
      oneHotArray(2, 128, 10),
      "cross-entropy",
      reps,
    ),
  cnn_adam_step_ms: (reps: number) =>
    stepMs(cnn(10), [28, 28, 1], randomArray(3, [64, 28, 28, 1]), oneHotArray(4, 64, 10), "cross-entropy", reps),
  rnn_adam_step_ms: (reps: number) =>
    // Only the last state feeds the head, as in torch_peer.py (h[:, -1]); lastOnly skips stacking the unused states.
    stepMs(
      sequential(rnn(64, { lastOnly: true }), linear(1)),
      [50, 8],
      randomArray(5, [32, 50, 8]),
      randomArray(6, [32, 1]),
      "mse",
      reps,
    ),
};

/** Adam's update alone on one float32 parameter of n elements (reads p, g, m, v; writes p, m, v). */
export async function adamUpdateMs(n: number, reps: number): Promise<number> {
  const optimizer = adam(1e-3);
  let params: Tree = randomArray(7, [n]);
  const grads = randomArray(8, [n]);
  let optState = optimizer.init(refTree(params));
  const update = jit((p: Tree, g: Tree, s: Tree) => {
    const [u, next] = optimizer.update(g, s, refTree(p));
    return [applyUpdates(p, u), next] as [Tree, Tree];
  });
  const ms = await medianMs(async () => {
    const [p, s] = update(params as never, grads.ref as never, optState as never) as unknown as [np.Array, Tree];
    await p.blockUntilReady();
    [params, optState] = [p, s];
  }, reps);
  update.dispose();
  disposeTree([params, optState, grads]);
  return ms;
}

/** A plain copy of n float32 values (read n, write n): the bandwidth yardstick for elementwise work. */
export async function copyMs(n: number, reps: number): Promise<number> {
  let x = randomArray(9, [n]);
  // neg, not mul(1): jax-js would fold a multiply by one into no work at all.
  const copy = jit((a: np.Array) => a.neg());
  const ms = await medianMs(async () => {
    const y = copy(x.ref);
    await y.blockUntilReady();
    x.dispose();
    x = y;
  }, reps);
  copy.dispose();
  x.dispose();
  return ms;
}

/** float32 n×n matmul throughput in GFLOP/s. */
export async function matmulGflops(n: number, reps: number): Promise<number> {
  const a = randomArray(10, [n, n]);
  const b = randomArray(11, [n, n]);
  const ms = await medianMs(async () => {
    const c = np.matmul(a.ref, b.ref);
    await c.data();
  }, reps);
  a.dispose();
  b.dispose();
  return (2 * n ** 3) / (ms * 1e-3) / 1e9;
}
