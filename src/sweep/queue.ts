import { Queue, Worker, type ConnectionOptions } from "bullmq";
import type { Backend } from "./controller.js";
import { runDescent, type TrialOutcome } from "./runTrial.js";

/** The BullMQ queue every sweep controller and `descent worker` share; a job's id is its trial's id. */
export const QUEUE_NAME = "descent-trials";

/**
 * Attempts per trial: a worker that dies mid-trial (its lock
 * expires) gives the trial back, at most this many times in all.
 */
export const MAX_ATTEMPTS = 3;

// How often the controller looks a job up in Redis: robust to lost events and to a Redis restart.
const POLL_MS = 300;

/** host/port of a redis://HOST:PORT URL (with an optional /DB), or an error naming the bad part. */
export function redisConnection(url: string): ConnectionOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--queue ${url}: not a URL (expected redis://HOST:PORT)`);
  }
  if (parsed.protocol !== "redis:") throw new Error(`--queue ${url}: expected the redis:// scheme`);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isInteger(db)) throw new Error(`--queue ${url}: the database number must be an integer`);
  // ioredis reconnects forever (a Redis restart); BullMQ needs maxRetriesPerRequest null for blocking commands.
  return {
    host: parsed.hostname || "127.0.0.1",
    port: Number(parsed.port || 6379),
    db,
    maxRetriesPerRequest: null,
    password: parsed.password || undefined,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Fails with one clear message when Redis does not answer a PING within `ms` (a wrong host or port). */
export async function assertReachable(
  connected: Promise<{ ping(): Promise<string> }>,
  url: string,
  ms = 5000,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) =>
      (timer = setTimeout(
        () => reject(new Error(`--queue ${url}: Redis does not answer (is redis-server running there?)`)),
        ms,
      )),
  );
  try {
    await Promise.race([connected.then((client) => client.ping()), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The queue backend of the sweep controller: each trial becomes a job (jobId = trial id, so a second add of the
 * same trial returns the existing job instead of a duplicate) and its result is the job's return value.
 */
export function queueBackend(url: string): { backend: Backend; ready(): Promise<void>; close(): Promise<void> } {
  const queue = new Queue(QUEUE_NAME, { connection: redisConnection(url) });
  queue.on("error", () => {}); // reconnection errors while Redis restarts: the poll below retries.
  // Closing the queue stops every poll still running (after a controller error), so the process can exit.
  const closing = new AbortController();
  const backend: Backend = async ({ id, args }, sweepSignal) => {
    const signal = AbortSignal.any([sweepSignal, closing.signal]);
    await retrying(
      () =>
        queue.add(
          "trial",
          { args },
          { jobId: id, attempts: MAX_ATTEMPTS, removeOnComplete: false, removeOnFail: false },
        ),
      signal,
    );
    while (!signal.aborted) {
      // The state first, then the job: a job read before its state turned final lacks its return value.
      const state = await retrying(() => queue.getJobState(id), signal);
      if (state === "completed" || state === "failed") {
        const job = await retrying(() => queue.getJob(id), signal);
        if (job && state === "completed" && job.returnvalue != null) return job.returnvalue as TrialOutcome;
        if (job && state === "failed")
          return { ok: false, error: `failed after ${job.attemptsMade} attempts on the queue: ${job.failedReason}` };
      }
      await sleep(POLL_MS);
    }
    return { ok: false, error: "controller stopped", signal: "SIGINT" };
  };
  const close = () => {
    closing.abort();
    return queue.close();
  };
  return { backend, ready: () => assertReachable(queue.waitUntilReady(), url), close };
}

/** Retries a Redis call until it succeeds (Redis may be restarting) or the sweep is stopped. */
async function retrying<T>(call: () => Promise<T>, signal: AbortSignal): Promise<T> {
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (signal.aborted) throw error;
      await sleep(POLL_MS);
    }
  }
}

export interface WorkerOptions {
  concurrency: number;
  /** How long a job's lock lasts without renewal: a crashed worker's trial is retried after this. */
  lockMs: number;
}

/**
 * `descent worker`: runs queued trials as child processes of the built CLI. A trial that fails (bad settings, a
 * diverged run) is a result, not a retry; only a worker that dies loses its lock and lets another worker retry.
 */
export function startWorker(url: string, opts: WorkerOptions): Worker {
  const worker = new Worker(QUEUE_NAME, async (job) => runDescent(job.data.args as string[]), {
    connection: redisConnection(url),
    concurrency: opts.concurrency,
    lockDuration: opts.lockMs,
    stalledInterval: Math.max(500, Math.floor(opts.lockMs / 2)),
    maxStalledCount: MAX_ATTEMPTS - 1,
  });
  worker.on("error", () => {}); // reconnection errors while Redis restarts: ioredis reconnects.
  return worker;
}
