import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { finalRows, readJournal } from "../../src/sweep/journal.js";
import { descent } from "../cli/run.js";
import { descentBin } from "../../src/sweep/command.js";

// Small optimize trials (50 steps on 2-D Rosenbrock), two of them failing: an unknown method.
const SWEEP = {
  command: "optimize",
  base: { problem: "rosenbrock", steps: 50 },
  grid: { method: ["book.sgd", "book.adam", "no.such"], lr: [0.001, 0.01] },
  seeds: [0],
};

test(
  "descent sweep runs every trial once, journals results and failures, and resumes without rerunning finished " +
    "trials",
  () => {
    const root = mkdtempSync(join(tmpdir(), "descent-sweep-"));
    try {
      const configPath = join(root, "sweep.json");
      writeFileSync(configPath, JSON.stringify(SWEEP));
      const dir = join(root, "out");
      const run = descent(["sweep", "--config", configPath, "--out", dir, "--concurrency", "2", "--json"]);
      assert.equal(run.code, 0, run.stderr);
      const summary = JSON.parse(run.stdout);
      assert.deepEqual([summary.ran, summary.completed, summary.failed], [6, 4, 2]);
      assert.deepEqual(summary.best.map((b: { method: string }) => b.method).sort(), ["book.adam", "book.sgd"]);

      const journalPath = join(dir, "journal.jsonl");
      const rows = readJournal(journalPath);
      assert.equal(rows.length, 6);
      assert.equal(new Set(rows.map((r) => r.trial)).size, 6);
      for (const row of rows.filter((r) => r.status === "failed")) assert.match(row.error!, /no\.such/);

      // A trial's metrics are the command's own --json summary: the same f as running it directly.
      const adam = rows.find((r) => r.config.method === "book.adam" && r.config.lr === 0.01)!;
      const direct = descent([
        "optimize",
        "--problem",
        "rosenbrock",
        "--method",
        "book.adam",
        "--steps",
        "50",
        "--seed",
        "0",
        "--config",
        '{"lr":0.01}',
        "--json",
      ]);
      assert.equal(adam.metrics!.f, JSON.parse(direct.stdout).f);

      assert.ok(readFileSync(join(dir, "summary.md"), "utf8").includes("| book.adam |"));
      assert.match(readFileSync(join(dir, "lr-sensitivity.svg"), "utf8"), /^<svg/);

      // A controller stopped mid-sweep: its journal holds 4 finished
      // rows and a torn line. --resume runs the other 2 only.
      const lines = readFileSync(journalPath, "utf8").split("\n").filter(Boolean);
      writeFileSync(journalPath, lines.slice(0, 4).join("\n") + "\n" + lines[4].slice(0, 30));
      const resumed = descent(["sweep", "--resume", dir, "--concurrency", "2", "--json"]);
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.equal(JSON.parse(resumed.stdout).ran, 2);
      const after = readJournal(journalPath);
      assert.equal(after.length, 6);
      assert.deepEqual([...finalRows(after).keys()].sort(), rows.map((r) => r.trial).sort());
      for (const row of rows.slice(0, 4)) assert.equal(after.find((r) => r.trial === row.trial)!.time, row.time);

      // Starting over in a sweep directory is refused with a pointer to --resume.
      const again = descent(["sweep", "--config", configPath, "--out", dir]);
      assert.equal(again.code, 2);
      assert.match(again.stderr, /--resume/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
);

test("descent sweep rejects a bad config with exit code 2 and the field's name", () => {
  const root = mkdtempSync(join(tmpdir(), "descent-sweep-"));
  try {
    const configPath = join(root, "bad.json");
    writeFileSync(configPath, JSON.stringify({ command: "fit" }));
    const bad = descent(["sweep", "--config", configPath, "--out", join(root, "out")]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /command/);
    assert.ok(!existsSync(join(root, "out", "journal.jsonl")));
    const missing = descent(["sweep", "--resume", join(root, "nowhere")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /sweep\.json/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("Ctrl-C stops a sweep with a consistent journal; --resume runs only the unfinished trials", async () => {
  const root = mkdtempSync(join(tmpdir(), "descent-sweep-"));
  try {
    const configPath = join(root, "sweep.json");
    writeFileSync(
      configPath,
      JSON.stringify({ ...SWEEP, grid: { method: ["book.sgd", "book.adam"], lr: [0.001, 0.003, 0.01] } }),
    );
    const dir = join(root, "out");
    const journalPath = join(dir, "journal.jsonl");
    const child = spawn(
      process.execPath,
      [descentBin(), "sweep", "--config", configPath, "--out", dir, "--concurrency", "1"],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    // Interrupt as soon as the first trial is journaled.
    while (!existsSync(journalPath) || readFileSync(journalPath, "utf8").length === 0)
      await new Promise((r) => setTimeout(r, 100));
    child.kill("SIGINT");
    assert.equal(await exited, 2);
    assert.match(stderr, /--resume/);
    const text = readFileSync(journalPath, "utf8");
    assert.ok(text.endsWith("\n"));
    const done = readJournal(journalPath).length;
    assert.ok(done >= 1 && done < 6, `${done} trials finished before Ctrl-C`);
    const resumed = descent(["sweep", "--resume", dir, "--concurrency", "2", "--json"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(JSON.parse(resumed.stdout).ran, 6 - done);
    assert.equal(readJournal(journalPath).length, 6);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
