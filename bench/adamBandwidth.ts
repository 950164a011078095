/**
 * Adam's update on 4 M float32 parameters against a copy of the same floats, A/B in one process:
 * with and without the vectorised division (src/engine/gemm/simdReciprocal.ts), rounds
 * interleaved so both share the machine's load, timed in this process's CPU time.
 * Run: `node --import tsx bench/adamBandwidth.ts [n] [rounds]`.
 */
import { jit, numpy as np } from "@jax-js/jax";
import {
  disposeTree,
  precisionOf,
  random,
  refTree,
  setReciprocalEnabled,
  startEngine,
  toDevice,
  type Tree,
} from "../src/engine/index.js";
import { applyUpdates, book } from "../src/optim/index.js";

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
  const samples = { copy: [] as number[], simd: [] as number[], scalar: [] as number[] };
  for (let round = -1; round < rounds; round++) {
    const copyMs = await cpuPerCall(copyStep, calls);
    setReciprocalEnabled(true);
    const simdMs = await cpuPerCall(adamStep, calls);
    setReciprocalEnabled(false);
    const scalarMs = await cpuPerCall(adamStep, calls);
    setReciprocalEnabled(true);
    if (round < 0) continue; // warm-up round
    samples.copy.push(copyMs);
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
    adam_simd_division_ms: median(samples.simd),
    adam_scalar_division_ms: median(samples.scalar),
    simd_share_of_copy_bandwidth: share(median(samples.simd)),
    scalar_share_of_copy_bandwidth: share(median(samples.scalar)),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await startEngine();
  const [n = 4_000_000, rounds = 7] = process.argv.slice(2).map(Number);
  console.log(JSON.stringify(await adamBandwidthBench(n, rounds), null, 2));
}
