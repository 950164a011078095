/**
 * Threads for the GEMM and for jax-js's large kernels (issue 16 item 4), wired into the GEMM hook
 * (../gemm/hook.ts):
 * - jax-js's memory is found by catching the memory import of one dispatch, and asynchronous
 *   preparation is made synchronous, so jax-js's own pool (one postMessage per worker per kernel) never
 *   runs (jaxSide.ts);
 * - a large product or kernel gets a twin program whose module only saves the kernel's arguments
 *   (jobs.ts); the dispatch wrapper here then runs its tiles on the pool (pool.ts).
 * Threads start where the Node preload made the memory shared, or in a cross-origin-isolated page
 * (browserPool.ts), and stay on only when DESCENT_THREADS or setThreads(n) asks for them or a start-up
 * calibration (calibrate.ts) measures a gain.
 */
import { GEMM_SCRATCH_BYTES, type GemmDtype, type GemmParams } from "../gemm/module.js";
import { calibrateThreads, type Calibration } from "./calibrate.js";
import { gemmJob, setKernelWorkThreshold, twinFactory, type KernelLike, type Program } from "./jobs.js";
import type { PoolJob, ThreadPool } from "./pool.js";
import { nodeThreads, threadRuntime } from "./request.js";

export { jaxMemory, keepDispatchSynchronous } from "./jaxSide.js";

/** Threads the calibration may turn on by itself (more take DESCENT_THREADS): the step's products are small. */
export const AUTO_MAX_THREADS = 4;

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
  reason: "not started (the pool starts with the GEMM hook: gemmStatus() says why it is off)",
  sharedMemory: false,
  jobs: 0,
  tiles: 0,
  mainTiles: 0,
};
let pool: ThreadPool | undefined;
let enabled = true;
/** Bumped whenever the choice of programs changes (pool up or down, switch): jit plans are rebuilt. */
let version = 0;
export const threadVersion = (): number => version;
/** Per GEMM program: what a threaded twin needs; per twin: its job. */
const gemms = new WeakMap<object, { dtype: GemmDtype; params: GemmParams }>();
let twins = new WeakMap<object, Program>();
const jobs = new WeakMap<object, PoolJob>();
let makeTwin: ((program: Program, kernel?: KernelLike) => Program | undefined) | undefined;

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
 * Whether Descent's pool replaces jax-js's: jax-js's memory is shared because the Node preload installed
 * the `Worker` jax-js saw, or because the page is cross-origin isolated. In Node, if jax-js was loaded
 * before the preload (plain memory), the `Worker` is removed again, or jax-js would compile kernels for
 * a shared memory it does not have.
 */
export function ownsWorkerGlobal(shared: boolean): boolean {
  ownsWorkers = decideOwnership(shared);
  decided = true;
  return ownsWorkers;
}

let ownsWorkers = false;
/** Set once the GEMM hook has looked at jax-js's memory: setThreads(n) comes too late from then on. */
let decided = false;

/**
 * Asks for `n` threads (1: none), before startEngine(), instead of the start-up calibration: how a page
 * turns the pool on (Node also reads DESCENT_THREADS, which this overrides).
 */
export function setThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ThreadConfigError(`setThreads needs a positive integer, got ${n}`);
  if (decided) throw new ThreadConfigError("setThreads(n) must be called before startEngine()");
  const runtime = threadRuntime();
  if (!runtime) throw new ThreadConfigError("no thread pool in this runtime");
  Object.assign(runtime.request, { requested: n, source: `setThreads(${n})` });
}

/** Whether jax-js's own worker pool can run kernels asynchronously (shared memory that Descent's pool does not own). */
export const jaxJsRunsWorkers = (shared: boolean): boolean => shared && !ownsWorkers;

function decideOwnership(shared: boolean): boolean {
  const node = threadRuntime();
  status.sharedMemory = shared;
  if (!node) {
    status.reason = "no thread pool in this runtime (neither Node nor a page with Web Workers)";
    return false;
  }
  if (!node.request.sharedMemoryRequested) {
    status.reason = node.request.reason ?? "no shared memory";
    return false;
  }
  if (shared) return true;
  if (node.browser) {
    status.reason = "jax-js's memory is not shared";
    return false;
  }
  delete (globalThis as Record<string, unknown>).Worker;
  status.reason = "jax-js was loaded before engine/nodeSetup.ts, so its memory is not shared";
  return false;
}

/** Resolves when the pool started by installThreads is running (or decided against): tests, benches. */
export const threadsReady = (): Promise<ThreadStatus> => ready;
let ready: Promise<ThreadStatus> = Promise.resolve(status);
let cancelled = false;

/**
 * Starts the pool (jax-js's memory is shared) if threads are asked for or pay off, without waiting for it:
 * threads take tens of ms to start, and products run on one thread until they do (threadsReady()).
 */
export function installThreads(host: ThreadHost): ThreadStatus {
  const failed = async (error: unknown) => {
    await stopThreads();
    return Object.assign(status, { threads: 1, reason: `thread pool not started: ${(error as Error).message}` });
  };
  cancelled = false;
  try {
    ready = startPool(host).catch(failed);
  } catch (error) {
    ready = failed(error);
  }
  return status;
}

function startPool(host: ThreadHost): Promise<ThreadStatus> {
  const node = threadRuntime()!;
  const { requested } = node.request;
  const asked = node.request.source ?? `DESCENT_THREADS=${requested}`;
  const threads = requested || Math.min(node.availableParallelism, AUTO_MAX_THREADS);
  if (threads < 2)
    return Promise.resolve(
      Object.assign(status, { reason: requested ? asked : `${node.availableParallelism} core(s) available` }),
    );
  // Everything that touches jax-js happens now; when the threads run, only the calibration does.
  const scratches = Array.from({ length: threads - 1 }, () =>
    host.slotAddress(host.wasm.malloc(GEMM_SCRATCH_BYTES, new Uint8Array(GEMM_SCRATCH_BYTES))),
  );
  // After the twin's module saved the arguments (in jax-js's dispatch, or called directly by the
  // program runner, gemm/programRunner.ts), the job runs.
  const runJob = (found: PoolJob) => {
    found.args.set(new Int32Array(host.memory.buffer, found.argsAt, 16));
    // The pool stopped after this program was prepared: the main thread runs all of it.
    if (!pool) return found.range(0, found.M, 0, found.N);
    pool.run(found);
  };
  const dispatch = host.wasm.dispatch.bind(host.wasm);
  host.wasm.dispatch = (exe, inputs, outputs) => {
    dispatch(exe, inputs, outputs);
    const found = jobs.get((exe as Exe).data?.program as object);
    if (found) runJob(found);
  };
  const twinHost = { ...host, kernelArgs: host.slotAddress(host.wasm.malloc(512, new Uint8Array(512))) };
  status.reason = "starting";
  return node.startPool(host.memory, scratches).then(async (started) => {
    if (cancelled) {
      await started.stop();
      return status;
    }
    const twinFor = twinFactory(twinHost, started, scratches, threads);
    makeTwin = (program, kernel) => {
      const made = twinFor(program, kernel, gemms.get(program));
      if (!made) return undefined;
      jobs.set(made.twin, made.job);
      const save = new WebAssembly.Instance(made.twin.module, { env: { memory: host.memory } }).exports.kernel as (
        ...args: number[]
      ) => void;
      const job = made.job;
      return Object.assign(made.twin, {
        direct: (...args: number[]) => {
          save(...args);
          runJob(job);
        },
      });
    };
    pool = started;
    version++;
    if (requested) return Object.assign(status, { threads, reason: asked });
    const calibration = await calibrateThreads(
      host,
      (params) => gemmJob(host, started, scratches, threads, { dtype: "float32", params }),
      pool,
    );
    status.calibration = calibration;
    if (calibration.gain) return Object.assign(status, { threads, reason: "calibration: the pool is faster" });
    await stopThreads();
    return Object.assign(status, { threads: 1, reason: "calibration: no gain from a second thread" });
  });
}

/** The hook tells which of its programs are matrix products, with their parameters. */
export function registerGemm(program: object, dtype: GemmDtype, params: GemmParams): void {
  gemms.set(program, { dtype, params });
}

/**
 * The program to dispatch: its threaded twin when threads are on and it is a large product, or a large
 * kernel in jax-js's calling convention (`jaxStyle`: jax-js's own, or the hook's vectorised divisions;
 * `kernel` is the jax-js Kernel it was compiled from), else the program itself.
 */
export function threadedProgram<P extends object>(program: P, kernel?: unknown, jaxStyle = false): P {
  if (!pool || !enabled || !makeTwin) return program;
  // The hook's other programs (merged kernels, view sums, dot) have signatures of their own.
  if (!gemms.has(program) && !jaxStyle) return program;
  let twin = twins.get(program);
  if (twin === undefined) {
    const source = jaxStyle ? (kernel as KernelLike | undefined) : undefined;
    twin = makeTwin(program as unknown as Program, source) ?? (program as unknown as Program);
    twins.set(program, twin);
  }
  return twin as unknown as P;
}

/** An Executable of jax-js's own, with its program replaced by the threaded twin when there is one. */
export function threadedExecutable<E>(kernel: unknown, exe: E): E {
  const data = (exe as Exe).data;
  if (pool && enabled && data?.program) data.program = threadedProgram(data.program as object, kernel, true);
  return exe;
}

/** Splits jax-js's kernels from `work` items × reduction steps (jobs.ts MIN_KERNEL_WORK), from the next preparation. */
export function setMinKernelWork(work: number): void {
  // New twins for every program (products too): their decisions were made with the former threshold.
  if (!setKernelWorkThreshold(work)) return;
  twins = new WeakMap();
  version++;
}

/** Turns the pool on or off for products prepared from now on (A/B benches, bit-identity tests). */
export function setThreadsEnabled(on: boolean): void {
  if (on !== enabled) version++;
  enabled = on;
}

export function threadStatus(): ThreadStatus {
  return { ...status, ...(pool ? pool.counts : {}) };
}

/** Stops the pool (tests; at exit the process ends the threads itself). Products then run on one thread. */
export async function stopThreads(): Promise<void> {
  cancelled = !pool;
  const stopping = pool;
  if (pool) version++;
  pool = undefined;
  makeTwin = undefined;
  if (stopping) {
    Object.assign(status, stopping.counts);
    await stopping.stop();
  }
  status.threads = 1;
  if (!status.reason.startsWith("calibration")) status.reason = "stopped";
}
