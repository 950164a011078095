/**
 * One training step (MLP or CNN, Adam, as bench/workloads.ts) A/B in one process: all hooks on,
 * the GEMM hook off (jax-js's own kernels; the vectorised division and the transpose fusion go with it),
 * the vectorised division alone off, the fusion of transposed copies into products off, the removal of
 * identity copies off, both of these program rewrites off, the per-Kernel program cache off, and the folding of
 * copies read only by products (the materialised Wᵀ) off.
 * Rounds interleaved, this process's CPU time per step, median over rounds.
 * Run: `node --import tsx bench/stepAB.ts mlp|cnn [rounds] [calls]`.
 */
import { disposeTree, precisionOf, random, refTree, startEngine, toDevice } from "../src/engine/index.js";
import {
  setCopyElisionEnabled,
  setCopyFoldingEnabled,
  setGemmEnabled,
  setProgramCacheEnabled,
  setReciprocalEnabled,
  setTransposeFusionEnabled,
} from "../src/engine/gemm/hook.js";
import { cnn, mlp } from "../src/nn/index.js";
import { book } from "../src/optim/index.js";
import { compileTrainStep, type TrainState } from "../src/train/index.js";

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
const f32 = precisionOf("float32");
const toggle = (
  gemm: boolean,
  division: boolean,
  transposeFusion: boolean,
  copyElision = true,
  cache = true,
  copyFolding = true,
) => {
  setGemmEnabled(gemm);
  setProgramCacheEnabled(cache);
  setReciprocalEnabled(division);
  setTransposeFusionEnabled(transposeFusion);
  setCopyElisionEnabled(copyElision);
  setCopyFoldingEnabled(copyFolding);
};

export async function stepAB(kind: "mlp" | "cnn", rounds: number, calls: number) {
  const [model, inputShape, batch] = kind === "mlp" ? [mlp(10), [784], 128] : [cnn(10), [28, 28, 1], 64];
  const init = model.init(random.randomKey(0), inputShape, f32);
  const optimizer = book.adam(1e-3);
  let state: TrainState = {
    params: init.params,
    modelState: init.state,
    optState: optimizer.init(refTree(init.params)),
  };
  const size = inputShape.reduce((a, b) => a * b, 1);
  const x = toDevice(random.normal(random.randomKey(1), batch * size), [batch, ...inputShape], f32);
  // Row b of the one-hot labels is class b mod 7.
  const labels = new Float32Array(batch * 10).map((_, i) => (Math.floor(i / 10) % 7 === i % 10 ? 1 : 0));
  const y = toDevice(labels, [batch, 10], f32);
  const step = compileTrainStep(model, "cross-entropy", optimizer);
  const run = async () => {
    const [next] = await step.runAsync(state, x.ref, y.ref);
    state = next;
  };
  const settings = {
    all_on: () => toggle(true, true, true),
    gemm_off: () => toggle(false, true, true),
    division_off: () => toggle(true, false, true),
    transpose_fusion_off: () => toggle(true, true, false),
    copy_elision_off: () => toggle(true, true, true, false),
    copy_folding_off: () => toggle(true, true, true, true, true, false),
    both_rewrites_off: () => toggle(true, true, false, false),
    program_cache_off: () => toggle(true, true, true, true, false),
  };
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(settings).map((k) => [k, []]));
  for (let round = -1; round < rounds; round++) {
    for (const [name, apply] of Object.entries(settings)) {
      apply();
      await run(); // the first step after a switch prepares kernels anew
      const t0 = cpuMs();
      for (let i = 0; i < calls; i++) await run();
      if (round >= 0) samples[name].push((cpuMs() - t0) / calls);
    }
  }
  settings.all_on();
  step.dispose();
  disposeTree([state.params, state.modelState, state.optState, x, y]);
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [`${kind}_step_ms_${k}`, median(v)]));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await startEngine();
  const [kind = "mlp", rounds = "5", calls = "10"] = process.argv.slice(2);
  console.log(JSON.stringify(await stepAB(kind as "mlp" | "cnn", Number(rounds), Number(calls))));
}
