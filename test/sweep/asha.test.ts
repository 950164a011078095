import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Asha } from "../../src/sweep/asha.js";
import { sweepConfigSchema } from "../../src/sweep/config.js";
import { runSweep, type Backend } from "../../src/sweep/controller.js";
import { readJournal } from "../../src/sweep/journal.js";

// η = 3, rungs at 1, 3, 9. Rung-0 losses of trials a…i, and the losses of the promoted ones at rungs 1 and 2.
const RUNG0: Record<string, number> = { a: 5, b: 3, c: 8, d: 1, e: 9, f: 4, g: 7, h: 2, i: 6 };
const RUNG1: Record<string, number> = { b: 2.5, d: 0.5, h: 3 };
const RUNG2: Record<string, number> = { d: 0.2 };
// Worked by hand with Algorithm 2 of Li et al. (2020), one worker: promote the best unpromoted trial in the top
// ⌊n/3⌋ of the highest rung that has one, else start the next trial. c completes rung 0 with n = 3 → b (best of 3) goes
// to rung 1; after d0 (n = 4) d is the top 1; after h0 (n = 8) the
// top 2 are d, h; after h1 rung 1 holds b, d, h → d to rung 2.
const EXPECTED = ["a0", "b0", "c0", "b1", "d0", "d1", "e0", "f0", "g0", "h0", "h1", "d2", "i0"];

test("ASHA's promotions follow the hand-computed rung table", () => {
  const asha = new Asha(3, 1, 9);
  assert.deepEqual(asha.resources, [1, 3, 9]);
  const fresh = Object.keys(RUNG0);
  const order: string[] = [];
  const tables = [RUNG0, RUNG1, RUNG2];
  for (;;) {
    const job = asha.nextPromotion() ?? (fresh.length ? { trial: fresh.shift()!, rung: 0 } : undefined);
    if (!job) break;
    order.push(`${job.trial}${job.rung}`);
    asha.record(job.trial, job.rung, tables[job.rung][job.trial]);
  }
  assert.deepEqual(order, EXPECTED);
});

test("ASHA rungs: a maximum resource off the geometric grid is the top rung", () => {
  assert.deepEqual(new Asha(2, 1, 5).resources, [1, 2, 4, 5]);
  assert.deepEqual(new Asha(3, 2, 2).resources, [2]);
});

test("the sweep controller runs ASHA: rung rows, one completed trial, the rest pruned", async () => {
  const dir = mkdtempSync(join(tmpdir(), "descent-asha-"));
  try {
    const sweep = sweepConfigSchema.parse({
      command: "optimize",
      base: { problem: "rosenbrock", method: "book.sgd" },
      grid: { trial: Object.keys(RUNG0) },
      asha: { eta: 3, minResource: 1, maxResource: 9 },
    });
    const tables = [RUNG0, RUNG1, RUNG2];
    const seen: string[] = [];
    // The backend answers from the table: the trial's name travels as a method setting, its rung as --steps.
    const backend: Backend = async ({ args }) => {
      const name = JSON.parse(args[args.indexOf("--config") + 1]).trial as string;
      const steps = Number(args[args.indexOf("--steps") + 1]);
      const rung = [1, 3, 9].indexOf(steps);
      seen.push(`${name}${rung}`);
      return { ok: true, metrics: { f: tables[rung][name] } };
    };
    await runSweep({ sweep, dir, backend, concurrency: 1 });
    assert.deepEqual(seen, EXPECTED);
    const rows = readJournal(join(dir, "journal.jsonl"));
    const nameOf = (row: { config: Record<string, unknown> }) => row.config.trial;
    assert.deepEqual(rows.filter((r) => r.status === "completed").map(nameOf), ["d"]);
    assert.deepEqual(
      rows
        .filter((r) => r.status === "pruned")
        .map(nameOf)
        .sort(),
      ["a", "b", "c", "e", "f", "g", "h", "i"],
    );
    assert.equal(rows.filter((r) => r.status === "rung").length, EXPECTED.length);
    // Resuming a finished ASHA sweep runs nothing.
    seen.length = 0;
    const again = await runSweep({ sweep, dir, backend, concurrency: 1 });
    assert.equal(again.ran, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
