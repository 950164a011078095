/**
 * Adam's update on 4 M float32 parameters against a copy of the same floats, A/B in one process:
 * as shipped (m', v' and θ' in one merged kernel, src/engine/gemm/kernelMerge.ts), unmerged (three
 * kernels, with the vectorised division of src/engine/gemm/simdReciprocal.ts), and unmerged with
 * scalar division; rounds interleaved so all share the machine's load, timed in this process's CPU time.
 * Run: `node --import tsx bench/adamBandwidth.ts [n] [rounds]`.
 */
import { jit, numpy as np } from "@jax-js/jax";
import { disposeTree, precisionOf, random, refTree, startEngine, toDevice, type Tree } from "../src/engine/index.js";
import { mlp } from "../src/nn/index.js";
import { setKernelMergeEnabled, setReciprocalEnabled } from "../src/engine/gemm/hook.js";
import { applyUpdates, book } from "../src/optim/index.js";
import { compileTrainStep, initTrainState, type TrainState } from "../src/train/index.js";

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

/** CPU ms per call of `step`, over `calls` calls (the CPU clock is coarse, so several per sample). */
async function cpuPerCall(step: () => Promise<void>, calls: number): Promise<number> {
  const t0 = cpuMs();
  for (let i = 0; i < calls; i++) await step();
  return (cpuMs() - t0) / calls;
}

const vector = (seed: number, n: number) =>
  toDevice(random.normal(random.randomKey(seed), n), [n], precisionOf("float32"));

export async function adamBandwidthBench(n: number, rounds: number, calls = 10) {
  const optimizer = book.adam(1e-3);
  let params: Tree = vector(7, n);
  const grads = vector(8, n);
  let optState = optimizer.init(refTree(params));
  const update = jit((p: Tree, g: Tree, s: Tree) => {
    const [u, next] = optimizer.update(g, s, refTree(p));
    return [applyUpdates(p, u), next] as [Tree, Tree];
  });
  const adamStep = async () => {
    const [p, s] = update(params as never, grads.ref as never, optState as never) as unknown as [np.Array, Tree];
    await p.blockUntilReady();
    [params, optState] = [p, s];
  };
  let x = vector(9, n);
  const copy = jit((a: np.Array) => a.neg());
  const copyStep = async () => {
    const y = copy(x.ref);
    await y.blockUntilReady();
    x.dispose();
    x = y;
  };
  const samples = { copy: [] as number[], merged: [] as number[], simd: [] as number[], scalar: [] as number[] };
  const adamWith = async (merge: boolean, division: boolean) => {
    setKernelMergeEnabled(merge);
    setReciprocalEnabled(division);
    await adamStep(); // the first call after a switch prepares its kernels
    const ms = await cpuPerCall(adamStep, calls);
    setKernelMergeEnabled(true);
    setReciprocalEnabled(true);
    return ms;
  };
  for (let round = -1; round < rounds; round++) {
    const copyMs = await cpuPerCall(copyStep, calls);
    const mergedMs = await adamWith(true, true);
    const simdMs = await adamWith(false, true);
    const scalarMs = await adamWith(false, false);
    if (round < 0) continue; // warm-up round
    samples.copy.push(copyMs);
    samples.merged.push(mergedMs);
    samples.simd.push(simdMs);
    samples.scalar.push(scalarMs);
  }
  update.dispose();
  copy.dispose();
  disposeTree([params, optState, grads, x]);
  const copyMs = median(samples.copy);
  // Adam touches 7 floats per parameter (reads θ, g, s, r; writes θ, s, r), the copy 2.
  const share = (ms: number) => 7 / ms / (2 / copyMs);
  return {
    copy_ms: copyMs,
    adam_merged_ms: median(samples.merged),
    adam_simd_division_ms: median(samples.simd),
    adam_scalar_division_ms: median(samples.scalar),
    merged_share_of_copy_bandwidth: share(median(samples.merged)),
    simd_share_of_copy_bandwidth: share(median(samples.simd)),
    scalar_share_of_copy_bandwidth: share(median(samples.scalar)),
  };
}

/** CPU ms of one MLP 784-256-256-10 Adam step (batch 128), with and without the vectorised division, interleaved. */
export async function mlpStepAB(rounds: number, calls = 20) {
  const model = mlp(10);
  const optimizer = book.adam(1e-3);
  let state: TrainState = initTrainState(model, random.randomKey(0), [784], precisionOf("float32"), optimizer);
  const x = toDevice(random.normal(random.randomKey(1), 128 * 784), [128, 784], precisionOf("float32"));
  // Row b of the one-hot labels is class b mod 7.
  const labels = new Float32Array(128 * 10).map((_, i) => (Math.floor(i / 10) % 7 === i % 10 ? 1 : 0));
  const y = toDevice(labels, [128, 10], precisionOf("float32"));
  const step = compileTrainStep(model, "cross-entropy", optimizer);
  const run = async () => {
    const [next] = await step.runAsync(state, x.ref, y.ref);
    state = next;
  };
  const samples = { simd: [] as number[], scalar: [] as number[] };
  for (let round = -1; round < rounds; round++) {
    setReciprocalEnabled(true);
    const simdMs = await cpuPerCall(run, calls);
    setReciprocalEnabled(false);
    const scalarMs = await cpuPerCall(run, calls);
    setReciprocalEnabled(true);
    if (round < 0) continue;
    samples.simd.push(simdMs);
    samples.scalar.push(scalarMs);
  }
  step.dispose();
  disposeTree([state.params, state.modelState, state.optState, x, y]);
  return { mlp_step_simd_division_ms: median(samples.simd), mlp_step_scalar_division_ms: median(samples.scalar) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await startEngine();
  const [n = 4_000_000, rounds = 7] = process.argv.slice(2).map(Number);
  console.log(JSON.stringify({ ...(await adamBandwidthBench(n, rounds)), ...(await mlpStepAB(rounds)) }, null, 2));
}
