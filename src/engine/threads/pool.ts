/**
 * A persistent pool of threads on jax-js's shared Wasm memory: the pool logic, shared by its two
 * transports (nodePool.ts: worker_threads; browserPool.ts: Web Workers). The main thread publishes a
 * product's tiles in the control block (control.ts), claims tiles itself like any worker, and returns
 * when every tile is done: dispatch stays synchronous, as jax-js's is.
 */
import { CONTROL as C, controlLength, jobTag, mailWord, receivedWord } from "./control.js";
import { tileRange, type TilePlan } from "./tiles.js";

/** How long a worker spins on the job counter before it sleeps (ms): a step's products come closer than this. */
export const SPIN_MS = 0.1;
/** How long the main thread spins on unfinished tiles before it yields the core in short timed waits. */
const MAIN_SPINS = 20000;
/** A job unfinished after this long means a thread died: fail loudly rather than hang. */
const STALL_MS = 30000;
/** How long delivered() waits for the workers to instantiate their modules. */
const DELIVERY_MS = 10000;

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

/** How the pool reaches its threads: the only part that differs between Node and a page. */
export interface PoolTransport {
  readonly size: number;
  /** Sends worker `w` a module message ({ id, module }). */
  post(w: number, message: { id: number; module: WebAssembly.Module }): void;
  /** Whether this thread may block in Atomics.wait (a page's main thread may not). */
  readonly canWait: boolean;
  /** Why a thread died, once one has (jobs then fail instead of waiting). */
  failure(): string | undefined;
  terminate(): Promise<void>;
}

/** The control block for `workers` workers, on a SharedArrayBuffer. */
export const newControlBlock = (workers: number) => new Int32Array(new SharedArrayBuffer(controlLength(workers) * 4));

export class ThreadPool {
  private seq = 0;
  /** Jobs run and tiles the main thread ran itself (for status and tests). */
  readonly counts = { jobs: 0, tiles: 0, mainTiles: 0 };

  constructor(
    readonly control: Int32Array,
    private readonly transport: PoolTransport,
  ) {}

  get size(): number {
    return this.transport.size;
  }

  /** Hands worker `w` the module it runs product `id` with; it takes that product's tiles once it holds it. */
  postModule(w: number, id: number, module: WebAssembly.Module): void {
    // Announced before it is sent, so the worker never waits for a message that was already handled.
    Atomics.add(this.control, mailWord(w), 1);
    this.transport.post(w, { id, module });
    // A sleeping Web Worker must wake to receive it.
    if (Atomics.load(this.control, C.SLEEPERS) > 0) Atomics.notify(this.control, C.SEQ);
  }

  /** Resolves true once every worker holds every module posted so far (false after DELIVERY_MS). */
  async delivered(): Promise<boolean> {
    const ctl = this.control;
    const posted = Array.from({ length: this.size }, (_, w) => Atomics.load(ctl, mailWord(w)));
    const deadline = performance.now() + DELIVERY_MS;
    while (posted.some((count, w) => Atomics.load(ctl, receivedWord(w)) < count)) {
      if (performance.now() > deadline || this.transport.failure()) return false;
      Atomics.notify(ctl, C.SEQ);
      await new Promise((done) => setTimeout(done, 1));
    }
    return true;
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
      // A worker holds a tile but may be descheduled: give the core away in short waits where allowed.
      if (this.transport.canWait) Atomics.wait(ctl, C.DONE, done, 0.05);
      else spins = 0;
      since ||= performance.now();
      const failure = this.transport.failure();
      if (failure) throw new Error(failure);
      if (performance.now() - since > STALL_MS) throw new Error("a worker thread stopped in the middle of a GEMM");
    }
  }

  /** Stops and terminates the threads (tests; the process's exit ends them anyway). */
  async stop(): Promise<void> {
    Atomics.store(this.control, C.STOP, 1);
    Atomics.add(this.control, C.SEQ, 1);
    Atomics.notify(this.control, C.SEQ);
    await this.transport.terminate();
  }
}
