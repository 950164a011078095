import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sweepConfigSchema } from "../../src/sweep/config.js";
import { runSweep, type Backend } from "../../src/sweep/controller.js";
import { readJournal } from "../../src/sweep/journal.js";
import { expandTrials } from "../../src/sweep/trials.js";

const SWEEP = sweepConfigSchema.parse({
  command: "train",
  base: { dataset: "spirals", epochs: 1 },
  grid: { lr: [0.1, 0.2, 0.3] },
  seeds: [0, 1],
});

test("a train trial with a checkpoint in its folder restarts from it (--resume); the others start fresh", async () => {
  const dir = mkdtempSync(join(tmpdir(), "descent-controller-"));
  try {
    const [interrupted] = expandTrials(SWEEP);
    mkdirSync(join(dir, "trials", interrupted.id), { recursive: true });
    writeFileSync(join(dir, "trials", interrupted.id, "checkpoint.safetensors"), "");
    const calls = new Map<string, string[]>();
    const backend: Backend = async ({ id, args }) => {
      calls.set(id, args);
      return { ok: true, metrics: { trainLoss: 1 } };
    };
    const result = await runSweep({ sweep: SWEEP, dir, backend, concurrency: 3 });
    assert.equal(result.ran, 6);
    assert.deepEqual(
      [...calls.keys()].sort(),
      expandTrials(SWEEP)
        .map((t) => t.id)
        .sort(),
    );
    for (const [id, args] of calls) {
      assert.equal(args.includes("--resume"), id === interrupted.id);
      assert.equal(args[args.indexOf("--out") + 1], join(dir, "trials", id));
    }
    assert.equal(readJournal(join(dir, "journal.jsonl")).length, 6);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a finished train trial without a row is recorded from its summary.json; an unfinished one resumes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "descent-controller-"));
  try {
    const [finished, interrupted] = expandTrials(SWEEP);
    const summary = { testAccuracy: 0.5, testLoss: 0.7, trainLoss: 0.6125, epochs: 1, steps: 8 };
    mkdirSync(join(dir, "trials", finished.id), { recursive: true });
    writeFileSync(join(dir, "trials", finished.id, "checkpoint.safetensors"), "");
    writeFileSync(join(dir, "trials", finished.id, "summary.json"), JSON.stringify(summary) + "\n");
    // RunFolder's layout: a run stopped before its end keeps its checkpoint in <out>/unfinished/.
    mkdirSync(join(dir, "trials", interrupted.id, "unfinished"), { recursive: true });
    writeFileSync(join(dir, "trials", interrupted.id, "unfinished", "checkpoint.safetensors"), "");
    const calls = new Map<string, string[]>();
    const backend: Backend = async ({ id, args }) => {
      calls.set(id, args);
      return { ok: true, metrics: { trainLoss: 1 } };
    };
    const result = await runSweep({ sweep: SWEEP, dir, backend, concurrency: 2 });
    assert.equal(result.ran, 5);
    assert.ok(!calls.has(finished.id));
    assert.ok(calls.get(interrupted.id)!.includes("--resume"));
    const row = readJournal(join(dir, "journal.jsonl")).find((r) => r.trial === finished.id)!;
    assert.equal(row.status, "completed");
    assert.deepEqual(row.metrics, summary);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("never more trials in flight than the concurrency", async () => {
  const dir = mkdtempSync(join(tmpdir(), "descent-controller-"));
  try {
    let inFlight = 0;
    let most = 0;
    const backend: Backend = async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      return { ok: true, metrics: { trainLoss: 1 } };
    };
    await runSweep({ sweep: SWEEP, dir, backend, concurrency: 2 });
    assert.equal(most, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
