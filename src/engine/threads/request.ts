/** How the pool is asked for and started in each runtime, read by install.ts (which browsers load too). */
import type { ThreadPool } from "./pool.js";
import { startBrowserPool } from "./browserPool.js";

export const NODE_THREADS = Symbol.for("descent.threads");

export interface ThreadRuntime {
  request: {
    /** Threads asked for: DESCENT_THREADS or setThreads(n), or 0 for "decide by calibration". */
    requested: number;
    /** Who asked for `requested` threads, for threadStatus(): "DESCENT_THREADS=2", "setThreads(2)". */
    source?: string;
    /**
     * Node: preload.ts installed the `Worker` adapter (before jax-js loaded, if it was imported first).
     * Browser: the page is cross-origin isolated, so jax-js made its memory shared.
     */
    sharedMemoryRequested: boolean;
    /** Why jax-js keeps a plain memory, when it does. */
    reason?: string;
    /** DESCENT_THREADS is not a positive integer (startEngine reports it). */
    invalid?: boolean;
  };
  availableParallelism: number;
  startPool(memory: WebAssembly.Memory, scratches: number[]): Promise<ThreadPool>;
  /** Node: a `Worker` global to remove when jax-js's memory turned out plain. Browsers keep theirs. */
  browser?: boolean;
}

/** What the Node preload (preload.ts) leaves on globalThis (install.ts must not import worker_threads). */
export type NodeThreads = ThreadRuntime;

export const nodeThreads = (): NodeThreads | undefined =>
  (globalThis as Record<symbol, NodeThreads | undefined>)[NODE_THREADS];

const isNode = typeof process !== "undefined" && !!process.versions?.node;
let browser: ThreadRuntime | undefined;

/**
 * A page (or a worker) with Web Workers: jax-js makes its memory shared exactly when SharedArrayBuffer
 * exists, that is when the page is cross-origin isolated (COOP/COEP headers).
 */
function browserThreads(): ThreadRuntime | undefined {
  if (isNode || typeof Worker === "undefined" || typeof navigator === "undefined") return undefined;
  const isolated = typeof SharedArrayBuffer !== "undefined" && globalThis.crossOriginIsolated === true;
  browser ??= {
    request: {
      requested: 0,
      sharedMemoryRequested: isolated,
      reason: isolated
        ? undefined
        : "the page is not cross-origin isolated (COOP/COEP headers), so it has no SharedArrayBuffer",
    },
    availableParallelism: navigator.hardwareConcurrency || 1,
    startPool: startBrowserPool,
    browser: true,
  };
  return browser;
}

/** This runtime's way to threads, or undefined where there is none. */
export const threadRuntime = (): ThreadRuntime | undefined => nodeThreads() ?? browserThreads();
