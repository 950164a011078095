/**
 * Node, before jax-js loads: makes jax-js create its Wasm memory shared, so Descent's thread pool
 * (pool.ts) can run products on it. jax-js 0.1.25 shares its memory only when a global `Worker` and
 * `SharedArrayBuffer` exist when its Wasm backend is built (at module load) and checks the same
 * again for every kernel it compiles, so the `Worker` installed here stays (workerGlobal.ts, which also
 * keeps it away from a jax-js that loaded first, with a plain memory). It is the worker_threads
 * adapter of ../workerThreads.ts: should jax-js ever use its own pool (the GEMM hook keeps every
 * dispatch synchronous, install.ts), it works, only slower. DESCENT_THREADS=1 (or DESCENT_GEMM=0)
 * leaves jax-js exactly as it is (plain memory, one thread).
 */
import { availableParallelism } from "node:os";
import { installWorkerThreads } from "../workerThreads.js";
import { installWorkerGlobal } from "./workerGlobal.js";
import { startNodePool } from "./nodePool.js";
import { NODE_THREADS, type NodeThreads } from "./request.js";

const request: NodeThreads["request"] = { requested: 0, sharedMemoryRequested: false };

/** Parses DESCENT_THREADS: unset or empty → 0 (automatic), else a positive integer. */
export function parseThreads(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`DESCENT_THREADS must be a positive integer, got "${value}"`);
  return n;
}

/** Why jax-js should keep its plain memory, or undefined when it can be made shared. */
export function sharedMemoryRefusal(env: Record<string, string | undefined>, globals: Record<string, unknown>) {
  if (env.DESCENT_THREADS?.trim() === "1") return "DESCENT_THREADS=1";
  if (env.DESCENT_GEMM === "0") return "DESCENT_GEMM=0 (the threads run the GEMM)";
  if (typeof globals.SharedArrayBuffer === "undefined") return "no SharedArrayBuffer";
  if (typeof globals.Worker !== "undefined") return "a global Worker already exists (jax-js runs its own pool)";
  return undefined;
}

if (typeof process !== "undefined" && process.versions?.node) {
  try {
    request.requested = parseThreads(process.env.DESCENT_THREADS);
    request.reason = sharedMemoryRefusal(process.env, globalThis as Record<string, unknown>);
  } catch (error) {
    request.reason = (error as Error).message;
    request.invalid = true;
  }
  if (request.reason === undefined) {
    installWorkerThreads(request.requested || availableParallelism());
    const globals = globalThis as Record<string, unknown>;
    const adapter = globals.Worker;
    delete globals.Worker;
    installWorkerGlobal(adapter);
    request.sharedMemoryRequested = true;
  }
  // Read by install.ts, which the browser build shares and so must not import worker_threads.
  (globalThis as Record<symbol, NodeThreads>)[NODE_THREADS] = {
    request,
    availableParallelism: availableParallelism(),
    startPool: startNodePool,
  };
}
