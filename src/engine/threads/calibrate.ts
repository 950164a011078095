/**
 * The start-up decision: one mid-sized product (128×256×256, the MLP's hidden layer) timed on the main
 * thread alone and on the pool, interleaved, best of 30 rounds after 10 of warm-up (about 20 ms in all,
 * in the background). The pool stays on only if it is clearly faster, which it is not on a machine
 * whose other cores are busy.
 */
import type { GemmParams } from "../gemm/module.js";
import type { PoolJob, ThreadPool } from "./pool.js";

export interface Calibration {
  /** Best time of the product on one thread and on the pool (ms, wall clock). */
  oneMs: number;
  poolMs: number;
  /** Whether the pool is on: it must take at most GAIN_RATIO of the one-thread time. */
  gain: boolean;
}

export const GAIN_RATIO = 0.8;
const ROUNDS = 30;
const WARM_UP_ROUNDS = 10;
const SHAPE = { M: 128, N: 256, K: 256 };

/** The decision from two best times (a pure function, so tests can check it). */
export const poolPaysOff = (oneMs: number, poolMs: number): boolean => poolMs <= GAIN_RATIO * oneMs;

interface Host {
  wasm: { malloc(size: number, initialData?: Uint8Array): number; decRef(slot: number): void };
  memory: WebAssembly.Memory;
  slotAddress(slot: number): number;
  scratch: number;
}

export async function calibrateThreads(
  host: Host,
  makeJob: (params: GemmParams) => PoolJob,
  pool: ThreadPool,
): Promise<Calibration> {
  const { M, N, K } = SHAPE;
  const buffer = (count: number) => {
    const values = new Float32Array(count).map((_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
    return host.wasm.malloc(count * 4, new Uint8Array(values.buffer));
  };
  const slots = [buffer(M * K), buffer(K * N), buffer(M * N)];
  const args = slots.map((slot) => host.slotAddress(slot));
  const params: GemmParams = {
    ...{ M, N, K, argA: 0, aOff: 0, aSm: K, aSk: 1, argB: 1, bOff: 0, bSn: 1, bSk: N, argOut: 2 },
    ...{ argE: -1, eOff: 0, eSm: 0, eSn: 0, relu: 0, scratch: host.scratch },
  };
  const job = makeJob(params);
  // A worker takes the product only once it holds its module (in a page, after a message round trip).
  await pool.delivered();
  job.args.set(args);
  // The main thread's instance reads the pointers from its scratch block, as after a dispatch.
  new Int32Array(host.memory.buffer, host.scratch, 16).set(job.args);
  const time = (run: () => void) => {
    const t0 = performance.now();
    run();
    return performance.now() - t0;
  };
  let oneMs = Infinity;
  let poolMs = Infinity;
  for (let round = 0; round < WARM_UP_ROUNDS + ROUNDS; round++) {
    const one = time(() => job.range(0, M, 0, N));
    // Back to back, as a step's products come: the first run may have to wake a sleeping worker.
    const pooled = Math.min(
      time(() => pool.run(job)),
      time(() => pool.run(job)),
    );
    // The first rounds warm up: the workers compile and page in their module, and V8 tiers it up.
    if (round < WARM_UP_ROUNDS) continue;
    oneMs = Math.min(oneMs, one);
    poolMs = Math.min(poolMs, pooled);
  }
  for (const slot of slots) host.wasm.decRef(slot);
  return { oneMs, poolMs, gain: poolPaysOff(oneMs, poolMs) };
}
