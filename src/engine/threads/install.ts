/**
 * Threads for the GEMM (issue 16 item 4), wired into the GEMM hook (../gemm/hook.ts):
 * - jax-js's memory is found by catching the memory import of one dispatch (jaxMemory);
 * - asynchronous preparation is made synchronous, so jax-js's own pool (one postMessage per worker
 *   per kernel) never runs;
 * - a large product gets a twin program whose module only saves the argument pointers (jax-js's
 *   buffer table is private); the dispatch wrapper then runs the product's tiles on the pool.
 * Threads start where the Node preload made the memory shared, and stay on only when DESCENT_THREADS
 * asks for them or a start-up calibration (calibrate.ts) measures a gain.
 */
import { GEMM_PARAMS, GEMM_SCRATCH_BYTES, gemmModuleBytes, type GemmDtype, type GemmParams } from "../gemm/module.js";
import { GEMM_MODULES } from "../gemm/modules.generated.js";
import { withGlobals } from "../gemm/module.js";
import { calibrateThreads, type Calibration } from "./calibrate.js";
import type { PoolJob, RangeFn, ThreadPool } from "./pool.js";
import { nodeThreads } from "./request.js";
import { itemPlan, tilePlan } from "./tiles.js";

/**
 * Products below this many multiply-adds stay on one thread: waking a worker and splitting cost about
 * what they save at 2.1 M (128×128×128), while 4.2 M (128×256×128) gained 10–20 % of main-thread time.
 */
export const MIN_PARALLEL_WORK = 1 << 22;

/**
 * jax-js's own kernels (elementwise, reductions, convolutions) are split from this many work items ×
 * reduction steps. On the CNN step (measured, main-thread CPU): 2¹⁶ and 2¹⁸ gained alike (−31 %),
 * 2²⁰ kept only the products' gain (−13 %).
 */
export const MIN_KERNEL_WORK = 1 << 18;
/** Threads the calibration may turn on by itself (more take DESCENT_THREADS): the step's products are small. */
export const AUTO_MAX_THREADS = 4;

/** Pointer arguments a jax-js kernel may have to be split (the argument-saving module keeps 16 words). */
const MAX_KERNEL_POINTERS = 14;

export interface ThreadStatus {
  /** Threads a large product runs on (1: no pool). */
  threads: number;
  /** Why this many. */
  reason: string;
  /** Whether jax-js's Wasm memory is shared (needed for any thread). */
  sharedMemory: boolean;
  /** The start-up measurement, when it decided. */
  calibration?: Calibration;
  /** Products run on the pool, their tiles, and the tiles the main thread ran itself. */
  jobs: number;
  tiles: number;
  mainTiles: number;
}

type Program = { kernelHash: string; module: WebAssembly.Module; workSize: number; chunkAlignment: number };
type Exe = { data: { program?: unknown; sync: boolean } };

export interface ThreadHost {
  wasm: {
    dispatch(exe: unknown, inputs: number[], outputs: number[]): void;
    prepareKernel(kernel: unknown): Promise<unknown>;
    prepareRoutine?(routine: unknown): Promise<unknown>;
    malloc(size: number, initialData?: Uint8Array): number;
    decRef(slot: number): void;
  };
  memory: WebAssembly.Memory;
  slotAddress(slot: number): number;
  /** Address of the main thread's GEMM scratch block. */
  scratch: number;
  fma: boolean;
}

const status: ThreadStatus = {
  threads: 1,
  reason: "not started",
  sharedMemory: false,
  jobs: 0,
  tiles: 0,
  mainTiles: 0,
};
let pool: ThreadPool | undefined;
let enabled = true;
/** Per GEMM program: what a threaded twin needs; per twin: its job. */
const gemms = new WeakMap<object, { dtype: GemmDtype; params: GemmParams }>();
const twins = new WeakMap<object, Program>();
const jobs = new WeakMap<object, PoolJob>();
let makeTwin: ((program: Program, kernel?: KernelLike) => Program | undefined) | undefined;
type KernelLike = { nargs: number; size: number; reduction?: { size: number } };

/**
 * jax-js's Wasm memory: the import object of one dispatch, caught by a stand-in WebAssembly.Instance
 * that throws before anything runs (so the module need not even link).
 */
export function jaxMemory(dispatchOnce: () => void): WebAssembly.Memory | undefined {
  const Original = WebAssembly.Instance;
  let memory: WebAssembly.Memory | undefined;
  const caught = new Error("descent: memory caught");
  // A class, not a function: jax-js calls it with `new`.
  WebAssembly.Instance = class {
    constructor(_module: WebAssembly.Module, imports?: { env?: { memory?: WebAssembly.Memory } }) {
      memory = imports?.env?.memory;
      throw caught;
    }
  } as unknown as typeof WebAssembly.Instance;
  try {
    dispatchOnce();
  } catch (error) {
    if (error !== caught) throw error;
  } finally {
    WebAssembly.Instance = Original;
  }
  return memory;
}

/** jax-js's async preparation, made synchronous: no kernel or routine goes to jax-js's worker pool. */
export function keepDispatchSynchronous(wasm: ThreadHost["wasm"]): void {
  const sync = <T>(exe: T) => {
    (exe as Exe).data.sync = true;
    return exe;
  };
  const prepareKernel = wasm.prepareKernel.bind(wasm);
  wasm.prepareKernel = async (kernel) => sync(await prepareKernel(kernel));
  if (wasm.prepareRoutine) {
    const prepareRoutine = wasm.prepareRoutine.bind(wasm);
    wasm.prepareRoutine = async (routine) => sync(await prepareRoutine(routine));
  }
}

/** Bad DESCENT_THREADS: the CLI prints the message alone and exits with code 2. */
export class ThreadConfigError extends Error {
  override name = "ThreadConfigError";
}

/** Throws when DESCENT_THREADS is not a positive integer (startEngine calls this first). */
export function checkThreadRequest(): void {
  const node = nodeThreads();
  if (node?.request.invalid) throw new ThreadConfigError(node.request.reason);
}

/**
 * Whether Descent's pool replaces jax-js's: the Node preload installed the `Worker` jax-js saw and
 * jax-js's memory is shared. If jax-js was loaded before the preload (plain memory), the `Worker` is
 * removed again, or jax-js would compile kernels for a shared memory it does not have.
 */
export function ownsWorkerGlobal(shared: boolean): boolean {
  const node = nodeThreads();
  status.sharedMemory = shared;
  if (!node) {
    status.reason = "no thread pool in this runtime (browsers: not built, see docs/engine.md)";
    return false;
  }
  if (!node.request.sharedMemoryRequested) {
    status.reason = node.request.reason ?? "no shared memory";
    return false;
  }
  if (shared) return true;
  delete (globalThis as Record<string, unknown>).Worker;
  status.reason = "jax-js was loaded before engine/nodeSetup.ts, so its memory is not shared";
  return false;
}

/** Starts the pool (jax-js's memory is shared) if threads are asked for or pay off; returns the status. */
export async function installThreads(host: ThreadHost): Promise<ThreadStatus> {
  try {
    return await startPool(host);
  } catch (error) {
    await stopThreads();
    return Object.assign(status, { threads: 1, reason: `thread pool not started: ${(error as Error).message}` });
  }
}

async function startPool(host: ThreadHost): Promise<ThreadStatus> {
  const node = nodeThreads()!;
  const threads = node.request.requested || Math.min(node.availableParallelism, AUTO_MAX_THREADS);
  if (threads < 2) return Object.assign(status, { reason: `${node.availableParallelism} core(s) available` });
  const scratches = Array.from({ length: threads - 1 }, () =>
    host.slotAddress(host.wasm.malloc(GEMM_SCRATCH_BYTES, new Uint8Array(GEMM_SCRATCH_BYTES))),
  );
  const started = await node.startPool(host.memory, scratches);
  const saver = saverModule(host.scratch);
  // jax-js's own kernels save their pointers in a block of their own: the GEMM's call counter stays exact.
  const kernelArgs = host.slotAddress(host.wasm.malloc(512, new Uint8Array(512)));
  const kernelSaver = saverModule(kernelArgs);
  let nextId = 0;
  const job = (dtype: GemmDtype, params: GemmParams, main: WebAssembly.Module): PoolJob => {
    const id = nextId++;
    scratches.forEach((scratch, w) =>
      started.postModule(w, id, new WebAssembly.Module(gemmModuleBytes(dtype, { ...params, scratch }, shared(host)))),
    );
    const instance = new WebAssembly.Instance(main, { env: { memory: host.memory } });
    const { M, N } = params;
    const plan = tilePlan(M, N, dtype, threads);
    const range = instance.exports.range as RangeFn;
    return { id, M, N, plan, range, args: new Int32Array(16), argsAt: host.scratch };
  };
  const kernelJob = (program: Program, pointers: number): PoolJob => {
    const id = nextId++;
    scratches.forEach((_, w) => started.postModule(w, id, program.module));
    const kernel = new WebAssembly.Instance(program.module, { env: { memory: host.memory } }).exports.kernel as (
      ...args: number[]
    ) => void;
    const args = new Int32Array(16);
    const plan = itemPlan(program.workSize, program.chunkAlignment, threads);
    const range = (begin: number, end: number) => kernel(...args.subarray(0, pointers), begin, end);
    return { id, M: program.workSize, N: pointers, plan, range, args, argsAt: kernelArgs };
  };
  makeTwin = (program, kernel) => {
    const gemm = gemms.get(program);
    if (gemm) {
      if (gemm.params.M * gemm.params.N * gemm.params.K < MIN_PARALLEL_WORK) return undefined;
      const twin = { kernelHash: `${program.kernelHash}:threads`, module: saver, workSize: 1, chunkAlignment: 1 };
      jobs.set(twin, job(gemm.dtype, gemm.params, program.module));
      return twin;
    }
    // One of jax-js's kernels: each work item computes its outputs alone, so ranges of items split it.
    if (!kernel || kernel.nargs + 1 > MAX_KERNEL_POINTERS || !(program.workSize >= 2 * program.chunkAlignment))
      return undefined;
    if (program.workSize * (kernel.reduction?.size ?? 1) < MIN_KERNEL_WORK) return undefined;
    const twin = { ...program, kernelHash: `${program.kernelHash}:threads`, module: kernelSaver };
    jobs.set(twin, kernelJob(program, kernel.nargs + 1));
    return twin;
  };
  const dispatch = host.wasm.dispatch.bind(host.wasm);
  host.wasm.dispatch = (exe, inputs, outputs) => {
    dispatch(exe, inputs, outputs);
    const found = jobs.get((exe as Exe).data?.program as object);
    if (!found) return;
    // The pool stopped after this program was prepared: the main thread runs the whole product.
    found.args.set(new Int32Array(host.memory.buffer, found.argsAt, 16));
    if (!pool) return found.range(0, found.M, 0, found.N);
    pool.run(found);
  };
  pool = started;
  if (node.request.requested) return Object.assign(status, { threads, reason: `DESCENT_THREADS=${threads}` });
  const calibration = calibrateThreads(host, (params) => job("float32", params, calibrationModule(host, params)), pool);
  status.calibration = calibration;
  if (calibration.gain) return Object.assign(status, { threads, reason: "calibration: the pool is faster" });
  await stopThreads();
  return Object.assign(status, { threads: 1, reason: "calibration: no gain from a second thread" });
}

const shared = (host: ThreadHost) => ({ fma: host.fma, shared: true });

/** The module that only saves its arguments (and counts the call) at `at` (scripts/gemm/kernels.ts argsSaverWat). */
const saverModule = (at: number) =>
  new WebAssembly.Module(
    withGlobals(
      Uint8Array.from(atob(GEMM_MODULES["args-shared"]), (c) => c.charCodeAt(0)),
      GEMM_PARAMS.map((name) => (name === "scratch" ? at : 0)),
    ),
  );

function calibrationModule(host: ThreadHost, params: GemmParams): WebAssembly.Module {
  return new WebAssembly.Module(gemmModuleBytes("float32", { ...params, scratch: host.scratch }, shared(host)));
}

/** The hook tells which of its programs are matrix products, with their parameters. */
export function registerGemm(program: object, dtype: GemmDtype, params: GemmParams): void {
  gemms.set(program, { dtype, params });
}

/**
 * The program to dispatch: a large product's or large jax-js kernel's threaded twin when threads are on
 * (`kernel`: the jax-js Kernel a program of jax-js's own was compiled from), else the program itself.
 */
export function threadedProgram<P extends object>(program: P, kernel?: unknown): P {
  if (!pool || !enabled || !makeTwin) return program;
  let twin = twins.get(program);
  if (twin === undefined) {
    twin = makeTwin(program as unknown as Program, kernel as KernelLike | undefined) ?? (program as unknown as Program);
    twins.set(program, twin);
  }
  return twin as unknown as P;
}

/** An Executable of jax-js's own, with its program replaced by the threaded twin when there is one. */
export function threadedExecutable<E>(kernel: unknown, exe: E): E {
  const data = (exe as Exe).data;
  if (pool && enabled && data?.program) data.program = threadedProgram(data.program as object, kernel);
  return exe;
}

/** Turns the pool on or off for products prepared from now on (A/B benches, bit-identity tests). */
export function setThreadsEnabled(on: boolean): void {
  enabled = on;
}

export function threadStatus(): ThreadStatus {
  return { ...status, ...(pool ? pool.counts : {}) };
}

/** Stops the pool (tests; at exit the process ends the threads itself). Products then run on one thread. */
export async function stopThreads(): Promise<void> {
  const stopping = pool;
  pool = undefined;
  makeTwin = undefined;
  if (stopping) {
    Object.assign(status, stopping.counts);
    await stopping.stop();
  }
  status.threads = 1;
  if (!status.reason.startsWith("calibration")) status.reason = "stopped";
}
