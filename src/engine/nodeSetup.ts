/**
 * Node-only start-up, imported by the `descent` binary before anything loads jax-js:
 * DESCENT_THREADS=n gives jax-js a pool of n Wasm worker threads (see docs/performance.md).
 * Separate from polyfills.ts because worker_threads does not exist in browsers.
 */
import "./polyfills.js";
import { installWorkerThreads } from "./workerThreads.js";

const requested = Number(process.env.DESCENT_THREADS ?? 0);
if (requested > 1) installWorkerThreads(requested);
