import { availableParallelism } from "node:os";
import { Command } from "commander";
import { assertReachable, startWorker } from "../sweep/queue.js";
import { integerArg } from "./args.js";
import { UserError } from "./errors.js";

export function workerCommand(): Command {
  return new Command("worker")
    .description("consume sweep trials from BullMQ (descent sweep --queue) until stopped with Ctrl-C or SIGTERM")
    .requiredOption("--queue <url>", "redis://HOST:PORT of the sweep's queue")
    .option("--concurrency <n>", "trials at once (default: one per core)", integerArg)
    .option("--lock-ms <ms>", "job lock duration: a crashed worker's trial is retried after it", integerArg, 30000)
    .action(async (flags) => {
      let worker;
      try {
        worker = startWorker(flags.queue, {
          concurrency: flags.concurrency ?? availableParallelism(),
          lockMs: flags.lockMs,
        });
      } catch (error) {
        throw new UserError((error as Error).message);
      }
      try {
        await assertReachable(worker.waitUntilReady(), flags.queue);
      } catch (error) {
        await worker.close(true);
        throw new UserError((error as Error).message);
      }
      process.stderr.write(`descent worker: consuming ${flags.queue}\n`);
      worker.on("completed", (job) => process.stderr.write(`trial ${job.id} done\n`));
      // Stop taking jobs, let the running ones finish, then exit.
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await worker.close();
    });
}
