/**
 * Node-only start-up, imported by the `descent` binary before anything loads jax-js: jax-js's Wasm
 * memory is created shared, so Descent's thread pool can split products (threads/preload.ts;
 * DESCENT_THREADS=n sets the number of threads, 1 turns them off; docs/performance.md § Threads).
 * Separate from polyfills.ts because worker_threads does not exist in browsers.
 */
import "./polyfills.js";
import "./threads/preload.js";
