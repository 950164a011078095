import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { descentBin } from "../../src/sweep/command.js";
import { readJournal, type JournalRow } from "../../src/sweep/journal.js";
import { QUEUE_NAME } from "../../src/sweep/queue.js";
import { descent } from "../cli/run.js";
import { RedisServer } from "./redis.js";

const SWEEP = {
  command: "optimize",
  base: { problem: "rosenbrock", steps: 50 },
  grid: { method: ["book.sgd", "book.adam"], lr: [0.001, 0.01] },
  seeds: [0],
};

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), "descent-queue-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

/** A `descent worker` in its own process group, so killing it also kills the trial it runs. */
function startWorker(url: string, lockMs = 1500): ChildProcess {
  return spawn(
    process.execPath,
    [descentBin(), "worker", "--queue", url, "--concurrency", "1", "--lock-ms", String(lockMs)],
    { stdio: "ignore", detached: true },
  );
}

async function stopWorker(worker: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (worker.exitCode !== null || worker.signalCode !== null) return;
  const exited = new Promise((resolve) => worker.once("exit", resolve));
  process.kill(-worker.pid!, signal);
  await exited;
}

function sweepProcess(args: string[]) {
  const child = spawn(process.execPath, [descentBin(), "sweep", ...args, "--json"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

const configFile = (name: string, sweep: object) => {
  const path = join(root, `${name}.json`);
  writeFileSync(path, JSON.stringify(sweep));
  return path;
};

const waitFor = async (condition: () => boolean | Promise<boolean>) => {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 100));
};

const journalRows = (dir: string): JournalRow[] => readJournal(join(dir, "journal.jsonl"));
const metricsWithoutTime = (rows: JournalRow[]) =>
  Object.fromEntries(rows.map((r) => [r.trial, { status: r.status, ...r.metrics, seconds: undefined }]));

test("2 workers through Redis give the local backend's results", async () => {
  const redis = await RedisServer.start();
  const workers = [startWorker(redis.url), startWorker(redis.url)];
  try {
    const config = configFile("a", SWEEP);
    const local = descent(["sweep", "--config", config, "--out", join(root, "local"), "--concurrency", "2", "--json"]);
    assert.equal(local.code, 0, local.stderr);
    const queued = descent([
      "sweep",
      "--config",
      config,
      "--out",
      join(root, "queued"),
      "--queue",
      redis.url,
      "--json",
    ]);
    assert.equal(queued.code, 0, queued.stderr);
    const localRows = journalRows(join(root, "local"));
    const queuedRows = journalRows(join(root, "queued"));
    assert.equal(queuedRows.length, 4);
    assert.deepEqual(metricsWithoutTime(queuedRows), metricsWithoutTime(localRows));
  } finally {
    await Promise.all(workers.map((w) => stopWorker(w)));
    await redis.dispose();
  }
});

test("a worker killed mid-trial: the trial is retried by another worker and journaled exactly once", async () => {
  const redis = await RedisServer.start();
  const queue = new Queue(QUEUE_NAME, { connection: { host: "127.0.0.1", port: redis.port } });
  const first = startWorker(redis.url);
  let second: ChildProcess | undefined;
  try {
    const dir = join(root, "killed");
    // One long-enough trial (a few seconds) so the worker can be killed while it runs.
    const sweep = sweepProcess([
      "--config",
      configFile("b", {
        ...SWEEP,
        base: { problem: "rosenbrock", steps: 3000 },
        grid: { method: ["book.adam"], lr: [0.01] },
      }),
      "--out",
      dir,
      "--queue",
      redis.url,
    ]);
    await waitFor(async () => (await queue.getActiveCount()) === 1);
    await stopWorker(first, "SIGKILL");
    second = startWorker(redis.url);
    const { code, stderr, stdout } = await sweep.done;
    assert.equal(code, 0, stderr);
    assert.equal(JSON.parse(stdout).completed, 1);
    const rows = journalRows(dir);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].status, "completed");
    const [job] = await queue.getCompleted();
    assert.ok(
      job.attemptsStarted >= 2 || job.stalledCounter >= 1,
      `attempts started ${job.attemptsStarted}, stalled ${job.stalledCounter}`,
    );
  } finally {
    await queue.close();
    await stopWorker(first, "SIGKILL");
    if (second) await stopWorker(second);
    await redis.dispose();
  }
});

test(
  "a Redis restart mid-sweep loses no finished result; a controller stopped and re-attached reruns no finished " +
    "trial",
  async () => {
    const redis = await RedisServer.start();
    const worker = startWorker(redis.url);
    try {
      const dir = join(root, "restart");
      const config = configFile("c", {
        ...SWEEP,
        grid: { method: ["book.sgd", "book.adam"], lr: [0.001, 0.003, 0.01] },
      });
      // The controller submits 2 trials at a time; stop it (Ctrl-C) after its first result.
      const first = sweepProcess(["--config", config, "--out", dir, "--queue", redis.url, "--concurrency", "2"]);
      await waitFor(() => existsSync(join(dir, "journal.jsonl")) && journalRows(dir).length >= 1);
      first.child.kill("SIGINT");
      assert.equal((await first.done).code, 2);
      const done = journalRows(dir).length;

      await redis.restart();
      const attached = sweepProcess(["--attach", dir]);
      // Restart Redis again while the re-attached controller waits on its trials.
      await waitFor(() => journalRows(dir).length > done);
      await redis.restart();
      const { code, stdout, stderr } = await attached.done;
      assert.equal(code, 0, stderr);
      const summary = JSON.parse(stdout);
      assert.equal(summary.completed, 6);
      assert.equal(summary.ran, 6 - done);
      const rows = journalRows(dir);
      assert.equal(rows.length, 6);
      assert.equal(new Set(rows.map((r) => r.trial)).size, 6);
      assert.ok(readFileSync(join(dir, "queue.json"), "utf8").includes(redis.url));
    } finally {
      await stopWorker(worker);
      await redis.dispose();
    }
  },
);

test("a trial whose workers keep dying fails after the bounded attempts, with a clear failure row", async () => {
  const redis = await RedisServer.start();
  const queue = new Queue(QUEUE_NAME, { connection: { host: "127.0.0.1", port: redis.port } });
  let worker: ChildProcess | undefined;
  try {
    const dir = join(root, "doomed");
    const sweep = sweepProcess([
      "--config",
      configFile("d", {
        ...SWEEP,
        base: { problem: "rosenbrock", steps: 100000 },
        grid: { method: ["book.adam"], lr: [0.01] },
      }),
      "--out",
      dir,
      "--queue",
      redis.url,
    ]);
    // Each worker takes the trial (a new processedOn) and is killed while it runs, until a stalled check fails the job.
    const theJob = async () => (await queue.getJobs(["active", "wait", "failed", "completed"]))[0];
    let processedOn: number | undefined;
    for (;;) {
      worker = startWorker(redis.url, 1000);
      let state = "";
      await waitFor(async () => {
        const job = await theJob();
        state = job ? await job.getState() : "";
        return state === "failed" || (state === "active" && job!.processedOn !== processedOn);
      });
      if (state === "failed") break;
      processedOn = (await theJob())!.processedOn;
      await stopWorker(worker, "SIGKILL");
    }
    const { code, stdout, stderr } = await sweep.done;
    assert.equal(code, 0, stderr);
    assert.equal(JSON.parse(stdout).failed, 1);
    const rows = journalRows(dir);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].status, "failed");
    assert.match(rows[0].error!, /attempts on the queue: .*stalled/);
  } finally {
    await queue.close();
    if (worker) await stopWorker(worker, "SIGKILL");
    await redis.dispose();
  }
});

test("an unreachable --queue is one clear error with exit code 2, for sweep and worker", () => {
  const url = "redis://127.0.0.1:1"; // nothing listens on port 1
  const sweep = descent([
    "sweep",
    "--config",
    configFile("e", SWEEP),
    "--out",
    join(root, "unreachable"),
    "--queue",
    url,
  ]);
  assert.equal(sweep.code, 2);
  assert.match(sweep.stderr, /Redis does not answer/);
  const worker = descent(["worker", "--queue", url]);
  assert.equal(worker.code, 2);
  assert.match(worker.stderr, /Redis does not answer/);
  const bad = descent(["worker", "--queue", "http://127.0.0.1:6379"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /redis:\/\//);
});
