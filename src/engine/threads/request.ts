/** What the Node preload (preload.ts) leaves on globalThis for install.ts, which browsers load too. */
import type { ThreadPool } from "./pool.js";

export const NODE_THREADS = Symbol.for("descent.threads");

export interface NodeThreads {
  request: {
    /** Threads asked for: DESCENT_THREADS, or 0 for "decide by calibration". */
    requested: number;
    /** True when preload.ts installed the `Worker` adapter (before jax-js loaded, if it was imported first). */
    sharedMemoryRequested: boolean;
    /** Why jax-js keeps a plain memory, when it does. */
    reason?: string;
    /** DESCENT_THREADS is not a positive integer (startEngine reports it). */
    invalid?: boolean;
  };
  availableParallelism: number;
  startPool(memory: WebAssembly.Memory, scratches: number[]): Promise<ThreadPool>;
}

export const nodeThreads = (): NodeThreads | undefined =>
  (globalThis as Record<symbol, NodeThreads | undefined>)[NODE_THREADS];
