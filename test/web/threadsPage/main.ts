/**
 * The page test/web/threads.test.ts drives: `?threads=n` calls engine.setThreads(n) before startEngine
 * (no query: the start-up calibration decides). It runs two products and 3 MLP Adam steps with the pool
 * on and off and leaves their bits, the counts and threadStatus() in `window.threadsPage`.
 * `&bench=rounds,calls` instead times the MLP Adam step, rounds interleaved between the pool on and off
 * (bench/browserThreads.ts): wall-clock medians, the only clock a page has.
 */
import { numpy, jit, type numpy as np } from "@jax-js/jax";
import { engine, mlp } from "descent/browser";
import { book } from "../../../src/optim/index.js";
import { compileTrainStep, initTrainState } from "../../../src/train/step.js";

const values = (n: number, phase: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(1.3 * i + phase));
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** A 131×517 by 517×263 layer (bias, ReLU) and a 517×517 Gram product, both large enough for the pool. */
async function products(): Promise<number[][]> {
  const f32 = engine.precisionOf("float32");
  const [M, K, N] = [131, 517, 263];
  const layer = jit((x: np.Array, w: np.Array, b: np.Array) => numpy.maximum(numpy.add(numpy.dot(x, w), b), 0));
  const gram = jit((x: np.Array) => numpy.dot(x.ref.transpose(), x));
  const x = engine.toDevice(values(M * K, 0), [M, K], f32);
  const w = engine.toDevice(values(K * N, 1), [K, N], f32);
  const b = engine.toDevice(values(N, 2), [N], f32);
  const out = [await layer(x.ref, w, b).data(), await gram(x).data()] as Float32Array[];
  layer.dispose();
  gram.dispose();
  return out.map(bits);
}

/** The MLP (784-256-256-10, batch 128), Adam, from a fixed start; `run` takes one step. */
function mlpTraining() {
  const f32 = engine.precisionOf("float32");
  const model = mlp(10);
  const x = engine.toDevice(values(128 * 784, 3), [128, 784], f32);
  const labels = new Float32Array(128 * 10).map((_, i) => (Math.floor(i / 10) % 7 === i % 10 ? 1 : 0));
  const y = engine.toDevice(labels, [128, 10], f32);
  const optimizer = book.adam(1e-3);
  let state = initTrainState(model, engine.random.randomKey(0), [784], f32, optimizer);
  const step = compileTrainStep(model, "cross-entropy", optimizer);
  return {
    run: async () => {
      [state] = await step.runAsync(state, x.ref, y.ref);
    },
    /** Disposes everything and returns the parameters' bits. */
    finish: () => {
      step.dispose();
      const host = engine.treeToHost(state.params);
      engine.disposeTree([state.modelState, state.optState, x, y]);
      return [...host.values()].map((tensor) => bits(tensor.data as Float32Array));
    },
  };
}

/** Every parameter's bits after 3 Adam steps. */
async function adamSteps(): Promise<number[][]> {
  const training = mlpTraining();
  for (let i = 0; i < 3; i++) await training.run();
  return training.finish();
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

/** Medians over `rounds` of the mean step time of `calls` steps, with the pool on and off, interleaved. */
async function bench(rounds: number, calls: number) {
  const training = mlpTraining();
  const samples = { pool: [] as number[], one: [] as number[] };
  for (let round = -1; round < rounds; round++)
    for (const setting of ["pool", "one"] as const) {
      engine.setThreadsEnabled(setting === "pool");
      await training.run(); // kernels are prepared anew after a switch
      const t0 = performance.now();
      for (let i = 0; i < calls; i++) await training.run();
      if (round >= 0) samples[setting].push((performance.now() - t0) / calls);
    }
  engine.setThreadsEnabled(true);
  training.finish();
  const status = engine.threadStatus();
  return {
    status,
    poolMs: median(samples.pool),
    oneMs: median(samples.one),
    samples,
    mainTileShare: status.mainTiles / status.tiles,
  };
}

async function run() {
  const query = new URLSearchParams(location.search);
  const asked = query.get("threads");
  if (asked) engine.setThreads(Number(asked));
  await engine.startEngine();
  const atStart = engine.threadStatus();
  const status = await engine.threadsReady();
  const benchSpec = query.get("bench");
  if (benchSpec) return bench(...(benchSpec.split(",").map(Number) as [number, number]));
  const counts = () => ({ ...engine.threadStatus() });
  const before = counts();
  const pooled = { products: await products(), adam: await adamSteps() };
  const afterPooled = counts();
  engine.setThreadsEnabled(false);
  const single = { products: await products(), adam: await adamSteps() };
  engine.setThreadsEnabled(true);
  return {
    isolated: crossOriginIsolated,
    cores: navigator.hardwareConcurrency,
    gemm: engine.gemmStatus(),
    atStart: atStart.reason,
    status: { ...status },
    before,
    afterPooled,
    after: counts(),
    pooled,
    single,
  };
}

const page = window as unknown as { threadsPage?: unknown; threadsPageError?: string };
run().then(
  (result) => {
    page.threadsPage = result;
  },
  (error: Error) => {
    page.threadsPageError = `${error.message}\n${error.stack}`;
  },
);
