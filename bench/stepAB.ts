/**
 * One training step (MLP, CNN or RNN, Adam, as bench/workloads.ts) A/B in one process: all hooks on,
 * the GEMM hook off (jax-js's own kernels; everything below goes with it), and one switch off at a
 * time: the vectorised division, the fusion of transposed copies into products, the removal of
 * identity copies (and both of these rewrites), the folding of copies read only by products (the
 * materialised Wᵀ), the per-Kernel program cache, the program runner (programRunner.ts: jax-js's own
 * PendingExecute per kernel), the merging of sibling elementwise kernels and Descent's vectorised
 * float32 exp kernels (both kernelMerge.ts), the data-movement kernels (viewSum.ts), and those of
 * them under a ReLU mask alone, their split over the thread pool and their row-by-row order, and the
 * max-pooling rewrite (maxPoolRewrite.ts).
 * Rounds interleaved, this process's CPU time per step (all threads), median over rounds; the main thread's
 * CPU time (`…_main`, Linux: what an idle machine's wall time follows when the pool takes work off it) and
 * the wall time per step (`…_wall`). SETTINGS=all_on,gemm_off,… runs only those settings.
 * Run: `node --import tsx bench/stepAB.ts mlp|cnn|rnn [rounds] [calls]` (rnn: rnn(64, lastOnly) + linear(1),
 * 32 sequences of 50 steps of 8 features, mse, as bench/workloads.ts).
 */
// First, before jax-js loads: its memory is made shared, so the thread pool can run (DESCENT_THREADS=n).
import "../src/engine/nodeSetup.js";
import { readFileSync } from "node:fs";
import { disposeTree, precisionOf, random, startEngine, toDevice } from "../src/engine/index.js";
import { setMinKernelWork, threadsReady } from "../src/engine/threads/install.js";
import { MIN_KERNEL_WORK } from "../src/engine/threads/jobs.js";
import {
  setCopyElisionEnabled,
  setCopyFoldingEnabled,
  setGemmEnabled,
  setKernelMergeEnabled,
  setSimdExpEnabled,
  setProgramCacheEnabled,
  setProgramRunnerEnabled,
  setReciprocalEnabled,
  setReluMaskEnabled,
  setTransposeFusionEnabled,
  setViewSumEnabled,
} from "../src/engine/gemm/hook.js";
import {
  setMaxPoolEnabled,
  setSmallProbesEnabled,
  setViewSumRowOrderEnabled,
  setViewSumThreadsEnabled,
} from "../src/engine/gemm/hook.js";
import { cnn, linear, mlp, rnn, sequential, type Layer } from "../src/nn/index.js";
import { book } from "../src/optim/index.js";
import { compileTrainStep, initTrainState, type TrainState } from "../src/train/index.js";

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
/** This thread's CPU time in ms (Linux /proc/thread-self/schedstat, in ns), NaN elsewhere. */
const threadMs = () => {
  try {
    return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1e6;
  } catch {
    return Number.NaN;
  }
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
const f32 = precisionOf("float32");
const switches = {
  gemm: setGemmEnabled,
  division: setReciprocalEnabled,
  transposeFusion: setTransposeFusionEnabled,
  copyElision: setCopyElisionEnabled,
  copyFolding: setCopyFoldingEnabled,
  cache: setProgramCacheEnabled,
  runner: setProgramRunnerEnabled,
  merge: setKernelMergeEnabled,
  exp: setSimdExpEnabled,
  viewSum: setViewSumEnabled,
  reluMask: setReluMaskEnabled,
  viewSumThreads: setViewSumThreadsEnabled,
  viewSumRowOrder: setViewSumRowOrderEnabled,
  maxPool: setMaxPoolEnabled,
  smallProbes: setSmallProbesEnabled,
};
/** Every switch on except those named. */
const toggle = (...off: (keyof typeof switches)[]) => {
  setMinKernelWork(MIN_KERNEL_WORK);
  for (const [name, set] of Object.entries(switches)) set(!off.includes(name as keyof typeof switches));
};

type Kind = "mlp" | "cnn" | "rnn";
/** Model, input shape, batch size, outputs (1: regression with mse). */
const models: Record<Kind, () => [Layer, number[], number, number]> = {
  mlp: () => [mlp(10), [784], 128, 10],
  cnn: () => [cnn(10), [28, 28, 1], 64, 10],
  rnn: () => [sequential(rnn(64, { lastOnly: true }), linear(1)), [50, 8], 32, 1],
};

export async function stepAB(kind: Kind, rounds: number, calls: number) {
  const [model, inputShape, batch, classes] = models[kind]();
  const optimizer = book.adam(1e-3);
  let state: TrainState = initTrainState(model, random.randomKey(0), inputShape, f32, optimizer);
  const size = inputShape.reduce((a, b) => a * b, 1);
  const x = toDevice(random.normal(random.randomKey(1), batch * size), [batch, ...inputShape], f32);
  // Row b of the one-hot labels is class b mod 7 (the RNN's regression targets: b mod 7 too).
  const labels = new Float32Array(batch * classes).map((_, i) =>
    classes === 1 ? i % 7 : Math.floor(i / classes) % 7 === i % classes ? 1 : 0,
  );
  const y = toDevice(labels, [batch, classes], f32);
  const step = compileTrainStep(model, classes === 1 ? "mse" : "cross-entropy", optimizer);
  const run = async () => {
    const [next] = await step.runAsync(state, x.ref, y.ref);
    state = next;
  };
  const allSettings = {
    all_on: () => toggle(),
    gemm_off: () => toggle("gemm"),
    division_off: () => toggle("division"),
    transpose_fusion_off: () => toggle("transposeFusion"),
    copy_elision_off: () => toggle("copyElision"),
    copy_folding_off: () => toggle("copyFolding"),
    both_rewrites_off: () => toggle("transposeFusion", "copyElision"),
    program_cache_off: () => toggle("cache"),
    program_runner_off: () => toggle("runner"),
    kernel_merge_off: () => toggle("merge"),
    simd_exp_off: () => toggle("exp"),
    view_sum_off: () => toggle("viewSum"),
    relu_mask_off: () => toggle("reluMask"),
    view_sum_threads_off: () => toggle("viewSumThreads"),
    view_sum_row_order_off: () => toggle("viewSumRowOrder"),
    max_pool_off: () => toggle("maxPool"),
    small_probes_off: () => toggle("smallProbes"),
    // jax-js's kernels split over the pool from 2¹⁶ or 2¹⁷ items × reduction steps instead of the default.
    min_kernel_work_2e16: () => (toggle(), setMinKernelWork(1 << 16)),
    min_kernel_work_2e17: () => (toggle(), setMinKernelWork(1 << 17)),
  };
  const only = process.env.SETTINGS?.split(",");
  const settings = Object.fromEntries(
    Object.entries(allSettings).filter(([name]) => !only || only.includes(name)),
  ) as Partial<typeof allSettings>;
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(settings).map((k) => [k, []]));
  const wall: Record<string, number[]> = Object.fromEntries(Object.keys(settings).map((k) => [k, []]));
  const main: Record<string, number[]> = Object.fromEntries(Object.keys(settings).map((k) => [k, []]));
  for (let round = -1; round < rounds; round++) {
    for (const [name, apply] of Object.entries(settings)) {
      apply();
      await run(); // the first step after a switch prepares kernels anew
      const [t0, w0, m0] = [cpuMs(), performance.now(), threadMs()];
      for (let i = 0; i < calls; i++) await run();
      if (round >= 0) samples[name].push((cpuMs() - t0) / calls);
      if (round >= 0) wall[name].push((performance.now() - w0) / calls);
      if (round >= 0) main[name].push((threadMs() - m0) / calls);
    }
  }
  allSettings.all_on();
  step.dispose();
  disposeTree([state.params, state.modelState, state.optState, x, y]);
  return Object.fromEntries([
    ...Object.entries(samples).map(([k, v]) => [`${kind}_step_ms_${k}`, median(v)]),
    ...Object.entries(main).map(([k, v]) => [`${kind}_step_ms_${k}_main`, median(v)]),
    ...Object.entries(wall).map(([k, v]) => [`${kind}_step_ms_${k}_wall`, median(v)]),
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await startEngine();
  await threadsReady();
  const [kind = "mlp", rounds = "5", calls = "10"] = process.argv.slice(2);
  console.log(JSON.stringify(await stepAB(kind as Kind, Number(rounds), Number(calls))));
}
