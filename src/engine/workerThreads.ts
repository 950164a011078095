/**
 * A browser-style `Worker` built on Node's worker_threads. threads/preload.ts installs it so that jax-js
 * creates its Wasm memory shared (it does so only when a global `Worker` and `SharedArrayBuffer` exist);
 * Descent's own pool (threads/) then runs the products, and jax-js's pool, which this adapter would
 * serve, is never started because every dispatch is synchronous.
 * jax-js creates its workers from a blob: URL; the adapter reads that blob (node:buffer's
 * resolveObjectURL) and evaluates it inside a worker thread whose `self`/`postMessage` mimic
 * a Web Worker. A worker is referenced (keeps Node alive) only while it owes a reply, so an
 * idle pool never blocks the process from exiting.
 */
import { resolveObjectURL } from "node:buffer";
import { Worker as ThreadWorker } from "node:worker_threads";

// Runs inside each thread: waits for the worker source, evaluates it, then forwards messages.
const BOOTSTRAP = `
const { parentPort } = require("node:worker_threads");
globalThis.self = globalThis;
globalThis.postMessage = (data) => parentPort.postMessage(data);
parentPort.once("message", (source) => {
  (0, eval)(source);
  parentPort.on("message", (data) => self.onmessage && self.onmessage({ data }));
});
`;

type Listener = ((event: { data: unknown }) => void) | null;

export class ThreadBackedWorker {
  onmessage: Listener = null;
  onerror: ((event: { message: string }) => void) | null = null;
  private readonly thread: ThreadWorker;
  private owed = 0;
  private queue: unknown[] | undefined = [];

  constructor(url: string | URL) {
    const blob = resolveObjectURL(String(url));
    if (!blob) throw new Error(`worker source ${String(url)} is not a live blob: URL`);
    this.thread = new ThreadWorker(BOOTSTRAP, { eval: true });
    this.thread.unref();
    this.thread.on("message", (data) => {
      if (--this.owed === 0) this.thread.unref();
      this.onmessage?.({ data });
    });
    this.thread.on("error", (error) => this.onerror?.({ message: error.message }));
    void blob.text().then((source) => {
      this.thread.postMessage(source);
      for (const message of this.queue!) this.thread.postMessage(message);
      this.queue = undefined;
    });
  }

  postMessage(message: unknown): void {
    // jax-js's protocol answers every message exactly once ("ready" or "done").
    if (this.owed++ === 0) this.thread.ref();
    if (this.queue) this.queue.push(message);
    else this.thread.postMessage(message);
  }

  terminate(): void {
    void this.thread.terminate();
  }
}

/**
 * Installs the adapter as the global `Worker` (and `navigator.hardwareConcurrency`, which sizes
 * jax-js's pool). Must run before jax-js is first imported: its Wasm backend decides at load time.
 */
export function installWorkerThreads(threads: number): void {
  const g = globalThis as Record<string, unknown>;
  if (typeof g.Worker === "undefined") g.Worker = ThreadBackedWorker;
  if (typeof g.navigator === "undefined") g.navigator = { hardwareConcurrency: threads };
}
