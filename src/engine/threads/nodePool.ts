/**
 * The pool's Node transport: one worker_threads thread per scratch block, each with a MessagePort it
 * reads synchronously. Threads are unref'd: an idle or spinning pool never keeps Node alive, and dies
 * with the process.
 */
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import { newControlBlock, SPIN_MS, ThreadPool, type PoolTransport } from "./pool.js";
import { WORKER_SOURCE } from "./workerSource.js";

/** Starts one thread per scratch address (each thread's own block) and waits until all run. */
export async function startNodePool(
  memory: WebAssembly.Memory,
  scratches: number[],
  spinMs = SPIN_MS,
): Promise<ThreadPool> {
  const control = newControlBlock(scratches.length);
  const threads: Worker[] = [];
  const ports: MessagePort[] = [];
  let stopping = false;
  let failure: string | undefined;
  const transport: PoolTransport = {
    size: scratches.length,
    canWait: true,
    post: (w, message) => ports[w].postMessage(message),
    failure: () => failure,
    async terminate() {
      stopping = true;
      for (const port of ports) port.close();
      await Promise.all(threads.map((thread) => thread.terminate()));
      threads.length = 0;
    },
  };
  await Promise.all(
    scratches.map((scratch, me) => {
      const { port1, port2 } = new MessageChannel();
      const thread = new Worker(WORKER_SOURCE, {
        eval: true,
        execArgv: [],
        workerData: { memory, control: control.buffer, port: port2, scratch, spinMs, me },
        transferList: [port2],
      });
      port1.unref();
      threads.push(thread);
      ports.push(port1);
      // Referenced until it runs (so start-up is awaited), then never again.
      thread.on("error", (error) => {
        failure ??= `a pool thread failed: ${error.message}`;
      });
      thread.on("exit", () => {
        if (!stopping) failure ??= "a pool thread exited";
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
  return new ThreadPool(control, transport);
}
