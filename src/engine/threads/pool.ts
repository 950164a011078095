/**
 * A persistent pool of worker threads on jax-js's shared Wasm memory (Node's worker_threads). The
 * main thread publishes a product's tiles in the control block (control.ts), claims tiles itself
 * like any worker, and returns when every tile is done: dispatch stays synchronous, as jax-js's is.
 * Threads are unref'd: an idle or spinning pool never keeps Node alive, and dies with the process.
 */
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import { CONTROL as C, jobTag } from "./control.js";
import { tileRange, type TilePlan } from "./tiles.js";
import { WORKER_SOURCE } from "./workerSource.js";

/** How long a worker spins on the job counter before it sleeps (ms): a step's products come closer than this. */
export const SPIN_MS = 0.1;
/** How long the main thread spins on unfinished tiles before it yields the core in short timed waits. */
const MAIN_SPINS = 20000;
/** A job unfinished after this long means a thread died: fail loudly rather than hang. */
const STALL_MS = 30000;

export type RangeFn = (m0: number, m1: number, n0: number, n1: number) => void;

export interface PoolJob {
  /** Id under which each worker got its module (postModule). */
  id: number;
  /** A product's C is M×N; a jax-js kernel has M work items and N pointer arguments. */
  M: number;
  N: number;
  plan: TilePlan;
  /** The main thread's own instance (its scratch block holds the argument pointers). */
  range: RangeFn;
  /** The 16 argument pointers, as the kernel saved them. */
  args: Int32Array;
  /** Byte address where the twin's module saved them. */
  argsAt: number;
}

export class ThreadPool {
  readonly control = new Int32Array(new SharedArrayBuffer(C.LENGTH * 4));
  private readonly threads: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private stopping = false;
  private seq = 0;
  /** Set when a thread died (an error outside a tile, or termination): jobs then fail instead of waiting. */
  private failure: string | undefined;
  /** Jobs run and tiles the main thread ran itself (for status and tests). */
  readonly counts = { jobs: 0, tiles: 0, mainTiles: 0 };

  /** Starts one thread per scratch address (each thread's own block) and waits until all run. */
  static async start(memory: WebAssembly.Memory, scratches: number[], spinMs = SPIN_MS): Promise<ThreadPool> {
    const pool = new ThreadPool();
    await Promise.all(
      scratches.map((scratch) => {
        const { port1, port2 } = new MessageChannel();
        const thread = new Worker(WORKER_SOURCE, {
          eval: true,
          execArgv: [],
          workerData: { memory, control: pool.control.buffer, port: port2, scratch, spinMs },
          transferList: [port2],
        });
        port1.unref();
        pool.threads.push(thread);
        pool.ports.push(port1);
        // Referenced until it runs (so start-up is awaited), then never again.
        thread.on("error", (error) => {
          pool.failure ??= `a pool thread failed: ${error.message}`;
        });
        thread.on("exit", () => {
          if (!pool.stopping) pool.failure ??= "a pool thread exited";
        });
        return new Promise<void>((resolve, reject) => {
          thread.once("online", () => {
            thread.unref();
            resolve();
          });
          thread.once("error", reject);
        });
      }),
    );
    return pool;
  }

  get size(): number {
    return this.threads.length;
  }

  /** Hands worker `w` the module it runs product `id` with (before any job of that id). */
  postModule(w: number, id: number, module: WebAssembly.Module): void {
    this.ports[w].postMessage({ id, module });
  }

  /** Runs every tile of the job, on this thread and on the workers that are awake or wake in time. */
  run(job: PoolJob): void {
    const ctl = this.control;
    const seq = ++this.seq;
    const tag = jobTag(seq);
    ctl[C.ID] = job.id;
    ctl[C.TILES] = job.plan.count;
    ctl[C.AXIS] = { rows: 0, columns: 1, items: 2 }[job.plan.axis];
    ctl[C.SIZE] = job.plan.size;
    ctl[C.M] = job.M;
    ctl[C.N] = job.N;
    ctl.set(job.args, C.ARGS);
    Atomics.store(ctl, C.DONE, 0);
    Atomics.store(ctl, C.ERROR, 0);
    Atomics.store(ctl, C.CLAIM, tag << 16);
    Atomics.store(ctl, C.SEQ, seq);
    if (Atomics.load(ctl, C.SLEEPERS) > 0) Atomics.notify(ctl, C.SEQ);
    for (;;) {
      const word = Atomics.load(ctl, C.CLAIM);
      const tile = word & 0xffff;
      if (tile >= job.plan.count) break;
      if (Atomics.compareExchange(ctl, C.CLAIM, word, word + 1) !== word) continue;
      try {
        job.range(...tileRange(job.plan, tile, job.M, job.N));
      } finally {
        Atomics.add(ctl, C.DONE, 1);
      }
      this.counts.mainTiles++;
    }
    this.waitDone(job.plan.count);
    this.counts.jobs++;
    this.counts.tiles += job.plan.count;
    if (Atomics.load(ctl, C.ERROR)) throw new Error("a GEMM tile failed in a worker thread (see its message above)");
  }

  private waitDone(tiles: number): void {
    const ctl = this.control;
    let spins = 0;
    let since = 0;
    for (;;) {
      const done = Atomics.load(ctl, C.DONE);
      if (done >= tiles) return;
      if (++spins < MAIN_SPINS) continue;
      // A worker holds a tile but may be descheduled: give the core away in short waits.
      Atomics.wait(ctl, C.DONE, done, 0.05);
      since ||= performance.now();
      if (this.failure) throw new Error(this.failure);
      if (performance.now() - since > STALL_MS) throw new Error("a worker thread stopped in the middle of a GEMM");
    }
  }

  /** Stops and terminates the threads (tests; the process's exit ends them anyway). */
  async stop(): Promise<void> {
    this.stopping = true;
    Atomics.store(this.control, C.STOP, 1);
    Atomics.add(this.control, C.SEQ, 1);
    Atomics.notify(this.control, C.SEQ);
    for (const port of this.ports) port.close();
    await Promise.all(this.threads.map((thread) => thread.terminate()));
    this.threads.length = 0;
  }
}
