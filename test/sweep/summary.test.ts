import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bestCurveRows } from "../../src/sweep/curves.js";
import type { JournalRow } from "../../src/sweep/journal.js";
import { bestPerMethod, lrSensitivityRows, summarizeSettings, summaryTable } from "../../src/sweep/summary.js";

const row = (trial: string, optimizer: string, lr: number, seed: number, trainLoss: number): JournalRow => ({
  trial,
  config: { optimizer, lr, seed },
  status: "completed",
  metrics: { trainLoss },
  time: "",
});
const ROWS: JournalRow[] = [
  row("a0", "sgd", 0.1, 0, 1),
  row("a1", "sgd", 0.1, 1, 3),
  row("b0", "sgd", 0.01, 0, 2),
  row("b1", "sgd", 0.01, 1, 2),
  row("c0", "adam", 0.01, 0, 0.5),
  row("c1", "adam", 0.01, 1, 1.5),
  { trial: "d0", config: { optimizer: "adam", lr: 0.1, seed: 0 }, status: "failed", error: "diverged", time: "" },
];

test("settings: mean ± sample std over seeds; best per method; failed trials left out", () => {
  const settings = summarizeSettings("train", ROWS);
  assert.equal(settings.length, 3);
  const sgd01 = settings.find((s) => s.method === "sgd" && s.lr === 0.1)!;
  assert.deepEqual([sgd01.mean, sgd01.std, sgd01.seeds], [2, Math.SQRT2, 2]);
  const best = bestPerMethod(settings);
  assert.deepEqual(
    best.map((s) => [s.method, s.lr, s.mean]),
    [
      ["adam", 0.01, 1],
      ["sgd", 0.1, 2],
    ],
  );
  assert.match(summaryTable(best), /\| adam \| 0\.01 \| 1\.0000 ± 0\.71 \| 2 \|/);
});

test("lr-sensitivity rows: one per lr, a column per method, null where a method has no result", () => {
  const { rows, methods } = lrSensitivityRows(summarizeSettings("train", ROWS));
  assert.deepEqual(methods, ["adam", "sgd"]);
  assert.deepEqual(rows, [
    { lr: 0.01, adam: 1, sgd: 2 },
    { lr: 0.1, adam: null, sgd: 2 },
  ]);
  // Dotted names are drawn with a one-dot leader (Vega reads "." as a nested field).
  const dotted = lrSensitivityRows(
    summarizeSettings("optimize", [
      { trial: "x", config: { method: "book.adam", lr: 1, seed: 0 }, status: "completed", metrics: { f: 3 }, time: "" },
    ]),
  );
  assert.deepEqual(dotted.rows, [{ lr: 1, "book\u2024adam": 3 }]);
});

test("best curves: per epoch training loss of each method's best setting, first seed, from its metrics.jsonl", () => {
  const dir = mkdtempSync(join(tmpdir(), "descent-curves-"));
  try {
    const write = (trial: string, losses: number[]) => {
      mkdirSync(join(dir, "trials", trial), { recursive: true });
      writeFileSync(
        join(dir, "trials", trial, "metrics.jsonl"),
        losses.map((l, i) => JSON.stringify({ type: "epoch", epoch: i + 1, trainLoss: l })).join("\n") +
          "\n" +
          JSON.stringify({ type: "test", testLoss: 9 }) +
          "\n",
      );
    };
    write("c0", [0.9, 0.5]);
    write("c1", [7, 7]);
    write("a0", [2, 1]);
    const best = bestPerMethod(summarizeSettings("train", ROWS));
    const { rows, methods } = bestCurveRows(dir, ROWS, best);
    assert.deepEqual(methods, ["adam", "sgd"]);
    assert.deepEqual(rows, [
      { epoch: 1, adam: 0.9, sgd: 2 },
      { epoch: 2, adam: 0.5, sgd: 1 },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
