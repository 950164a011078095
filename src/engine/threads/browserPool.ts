/**
 * The pool's browser transport: one Web Worker per scratch block, made from a Blob URL (so it works from
 * the built package and under any bundler), on jax-js's shared memory. The page's main thread may not
 * block in Atomics.wait, so it spins on the last tiles (pool.ts); modules reach a worker by postMessage
 * and it takes a product's tiles only once it has instantiated that product's module (workerSource.ts).
 */
import { newControlBlock, SPIN_MS, ThreadPool, type PoolTransport } from "./pool.js";
import { BROWSER_WORKER_SOURCE } from "./workerSource.js";

/** A worker that has not answered after this long fails the start (the products stay on one thread). */
const START_MS = 10000;

/** Starts one Web Worker per scratch address and waits until every one has its memory and control block. */
export async function startBrowserPool(
  memory: WebAssembly.Memory,
  scratches: number[],
  spinMs = SPIN_MS,
): Promise<ThreadPool> {
  const control = newControlBlock(scratches.length);
  const url = URL.createObjectURL(new Blob([BROWSER_WORKER_SOURCE], { type: "text/javascript" }));
  const workers: Worker[] = [];
  let failure: string | undefined;
  const transport: PoolTransport = {
    size: scratches.length,
    canWait: false,
    post: (w, message) => workers[w].postMessage(message),
    failure: () => failure,
    async terminate() {
      for (const worker of workers) worker.terminate();
      workers.length = 0;
    },
  };
  try {
    await Promise.all(
      scratches.map((scratch, me) => {
        const worker = new Worker(url, { name: `descent thread ${me + 1}` });
        workers.push(worker);
        return new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`worker ${me + 1} did not start`)), START_MS);
          worker.onmessage = () => {
            clearTimeout(timer);
            resolve();
          };
          worker.onerror = (event) => {
            failure ??= `a pool worker failed: ${event.message}`;
            reject(new Error(failure));
          };
          worker.postMessage({ memory, control: control.buffer, scratch, spinMs, me });
        });
      }),
    );
  } catch (error) {
    await transport.terminate();
    throw error;
  } finally {
    URL.revokeObjectURL(url);
  }
  return new ThreadPool(control, transport);
}
