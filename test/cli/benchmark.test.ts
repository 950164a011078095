import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { descentBin } from "../../src/sweep/command.js";
import { finalRows, readJournal } from "../../src/sweep/journal.js";
import { RedisServer } from "../sweep/redis.js";
import { descent } from "./run.js";

// One problem, two tuned methods and L-BFGS, --quick (2 rates, 2 seeds, a tenth of the budget): 8 runs.
const ARGS = ["--quick", "--problems", "quadratic_deep", "--methods", "book.sgd,book.adam,lbfgs", "--concurrency", "2"];

test("descent benchmark --quick tunes, reruns, scores, draws profiles, resumes without rerunning", () => {
  const root = mkdtempSync(join(tmpdir(), "descent-benchmark-"));
  try {
    const dir = join(root, "out");
    const run = descent(["benchmark", ...ARGS, "--out", dir]);
    assert.equal(run.code, 0, run.stderr);
    // The table: one line per method on the problem, the tuned rate among the grid's.
    const lines = run.stdout.split("\n");
    for (const method of ["book.sgd", "book.adam"])
      assert.match(lines.find((l) => l.startsWith(`| quadratic_deep | ${method} |`)) ?? "", /\| 0\.1 \||\| 0\.01 \|/);
    assert.match(lines.find((l) => l.startsWith("| quadratic_deep | lbfgs |")) ?? "", /line search/);

    // The journal: 2 rates × 2 methods on seed 0, L-BFGS on seeds 0 and 1, each tuned rate on seed 1; each run once.
    const rows = readJournal(join(dir, "journal.jsonl"));
    assert.equal(rows.length, 8);
    assert.equal(finalRows(rows).size, 8);
    assert.ok(rows.every((r) => r.status === "completed"));
    const tuned = rows.filter((r) => r.config.seed === 1 && r.config.method !== "lbfgs");
    assert.deepEqual(tuned.map((r) => r.config.method).sort(), ["book.adam", "book.sgd"]);
    for (const row of tuned) {
      const rivals = rows.filter((r) => r.config.seed === 0 && r.config.method === row.config.method);
      const best = rivals.reduce((a, b) => ((b.metrics!.f as number) < (a.metrics!.f as number) ? b : a));
      assert.equal(row.config.lr, best.config.lr, `${row.config.method} reran its best rate`);
    }
    // Every curve starts at the initial loss (θ = 1 for every seed) and ends at the reported f.
    for (const row of rows) {
      const curve = row.metrics!.curve as [number, number][];
      assert.equal(curve[0][1], rows[0].metrics!.f0);
      assert.equal(curve[curve.length - 1][1], row.metrics!.f);
    }

    // The profile: a Vega-Lite spec over the three methods, and its SVG.
    const spec = JSON.parse(readFileSync(join(dir, "performance-profile-tau1e-1.vl.json"), "utf8"));
    assert.deepEqual([...new Set(spec.data.values.map((v: { solver: string }) => v.solver))].sort(), [
      "book.adam",
      "book.sgd",
      "lbfgs",
    ]);
    assert.ok(spec.data.values.every((v: { share: number }) => v.share >= 0 && v.share <= 1));
    assert.match(readFileSync(join(dir, "performance-profile-tau1e-1.svg"), "utf8"), /^<svg/);
    const table = readFileSync(join(dir, "table.md"), "utf8");

    // A benchmark stopped after 3 runs (and mid-write): --resume runs the other 5 only and gives the same table.
    const journal = join(dir, "journal.jsonl");
    const text = readFileSync(journal, "utf8").split("\n").filter(Boolean);
    writeFileSync(journal, text.slice(0, 3).join("\n") + "\n" + text[3].slice(0, 25));
    const resumed = descent(["benchmark", "--resume", dir, "--json"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(JSON.parse(resumed.stdout).ran, 5);
    const after = readJournal(journal);
    assert.equal(after.length, 8);
    for (const row of rows.slice(0, 3)) assert.equal(after.find((r) => r.trial === row.trial)!.time, row.time);
    assert.equal(readFileSync(join(dir, "table.md"), "utf8"), table);

    const again = descent(["benchmark", "--resume", dir, "--json"]);
    assert.equal(JSON.parse(again.stdout).ran, 0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("descent benchmark rejects an unknown suite, method or problem with exit code 2 and one line", () => {
  const root = mkdtempSync(join(tmpdir(), "descent-benchmark-"));
  try {
    const cases: [string[], RegExp][] = [
      [["--suite", "huge"], /--suite.*huge.*small/],
      [["--methods", "book.adam,book.foo"], /unknown method "book\.foo"/],
      [["--problems", "mnist_vae"], /unknown problem "mnist_vae"/],
      [["--budget", "0"], /--budget must be a positive number/],
    ];
    for (const [args, message] of cases) {
      const run = descent(["benchmark", ...args, "--out", join(root, "out")]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
      assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
      assert.equal(run.stdout, "");
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

/** A `descent worker` in its own process group, so that stopping it stops the run it holds. */
const startWorker = (url: string): ChildProcess =>
  spawn(process.execPath, [descentBin(), "worker", "--queue", url, "--concurrency", "1"], {
    stdio: "ignore",
    detached: true,
  });

test("descent benchmark --queue with 2 workers through a real Redis gives the local run's numbers", async () => {
  const root = mkdtempSync(join(tmpdir(), "descent-benchmark-"));
  const redis = await RedisServer.start();
  const workers = [startWorker(redis.url), startWorker(redis.url)];
  try {
    const args = ["--quick", "--problems", "rosenbrock", "--methods", "book.adam,lbfgs", "--json"];
    const local = descent(["benchmark", ...args, "--out", join(root, "local")]);
    assert.equal(local.code, 0, local.stderr);
    const queued = descent(["benchmark", ...args, "--out", join(root, "queued"), "--queue", redis.url]);
    assert.equal(queued.code, 0, queued.stderr);
    // 2 tuning runs, L-BFGS on 2 seeds, Adam's best rate on seed 1: the same trials and the same curves.
    const results = (dir: string) =>
      Object.fromEntries(
        readJournal(join(root, dir, "journal.jsonl")).map((r) => [r.trial, { ...r.metrics, seconds: undefined }]),
      );
    assert.equal(Object.keys(results("local")).length, 5);
    assert.deepEqual(results("queued"), results("local"));
    assert.deepEqual(JSON.parse(queued.stdout).scores, JSON.parse(local.stdout).scores);
  } finally {
    for (const worker of workers) {
      const exited = new Promise((resolve) => worker.once("exit", resolve));
      process.kill(-worker.pid!, "SIGTERM");
      await exited;
    }
    await redis.dispose();
    rmSync(root, { recursive: true, force: true });
  }
});
