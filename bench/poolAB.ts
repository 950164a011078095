/**
 * The CNN step (bench/workloads.ts: batch 64, 28×28×1, conv16-pool-relu-conv32-pool-relu-linear, Adam)
 * A/B in one process: maxPool2d as the elementwise maximum of its strided window views (src/nn/shape.ts)
 * against the former reshape + reduce-max. Rounds interleaved, this process's CPU time per step, median.
 * Run: `node --import tsx bench/poolAB.ts [rounds] [calls]`.
 */
import type { numpy as np } from "@jax-js/jax";
import { disposeTree, precisionOf, random, startEngine, toDevice } from "../src/engine/index.js";
import {
  conv2d,
  flatten,
  initializerByName,
  linear,
  maxPool2d,
  none,
  relu,
  sequential,
  type Layer,
} from "../src/nn/index.js";
import { book } from "../src/optim/index.js";
import { compileTrainStep, initTrainState, type TrainState } from "../src/train/index.js";

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
const f32 = precisionOf("float32");

/** The former pooling: a [n, ho, 2, wo, 2, c] view reduced by max over its window axes. */
const reduceMaxPool2: Layer = {
  kind: "maxPool2dReduce",
  init: (_key, [h, w, c]) => ({ params: none(), state: none(), outputShape: [h >> 1, w >> 1, c] }),
  apply(_p, state, x) {
    const [n, h, w, c] = x.shape;
    return [(x as np.Array).reshape([n, h >> 1, 2, w >> 1, 2, c]).max([2, 4]), state];
  },
};

const cnnWith = (pool: () => Layer) =>
  sequential(
    conv2d(16, { kernel: 3, padding: 1, init: initializerByName("he") }),
    pool(),
    relu(),
    conv2d(32, { kernel: 3, padding: 1, init: initializerByName("he") }),
    pool(),
    relu(),
    flatten(),
    linear(10, { init: initializerByName("glorot") }),
  );

async function setup(model: Layer) {
  const batch = 64;
  const optimizer = book.adam(1e-3);
  let state: TrainState = initTrainState(model, random.randomKey(0), [28, 28, 1], f32, optimizer);
  const x = toDevice(random.normal(random.randomKey(1), batch * 784), [batch, 28, 28, 1], f32);
  const labels = new Float32Array(batch * 10).map((_, i) => (Math.floor(i / 10) % 7 === i % 10 ? 1 : 0));
  const y = toDevice(labels, [batch, 10], f32);
  const step = compileTrainStep(model, "cross-entropy", optimizer);
  return {
    run: async () => {
      const [next] = await step.runAsync(state, x.ref, y.ref);
      state = next;
    },
    dispose: () => {
      step.dispose();
      disposeTree([state.params, state.modelState, state.optState, x, y]);
    },
  };
}

export async function poolAB(rounds: number, calls: number) {
  const variants = {
    views: await setup(cnnWith(() => maxPool2d(2))),
    reduce_max: await setup(cnnWith(() => reduceMaxPool2)),
  };
  const samples: Record<string, number[]> = { views: [], reduce_max: [] };
  for (let round = -1; round < rounds; round++) {
    for (const [name, v] of Object.entries(variants)) {
      await v.run();
      const t0 = cpuMs();
      for (let i = 0; i < calls; i++) await v.run();
      if (round >= 0) samples[name].push((cpuMs() - t0) / calls);
    }
  }
  for (const v of Object.values(variants)) v.dispose();
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [`cnn_step_ms_pool_${k}`, median(v)]));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await startEngine();
  const [rounds = "5", calls = "10"] = process.argv.slice(2);
  console.log(JSON.stringify(await poolAB(Number(rounds), Number(calls))));
}
