import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { finalRows, Journal, readJournal } from "../../src/sweep/journal.js";

const withDir = (fn: (dir: string) => void) => {
  const dir = mkdtempSync(join(tmpdir(), "descent-journal-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

test("the journal appends one JSON line per event", () =>
  withDir((dir) => {
    const path = join(dir, "journal.jsonl");
    const journal = new Journal(path);
    journal.append({ trial: "a", config: { lr: 1 }, status: "completed", metrics: { f: 2 } });
    journal.append({ trial: "b", config: { lr: 2 }, status: "failed", error: "exit code 2: bad" });
    const lines = readFileSync(path, "utf8").split("\n");
    assert.equal(lines.length, 3);
    assert.equal(lines[2], "");
    const rows = readJournal(path);
    assert.deepEqual(
      rows.map((r) => [r.trial, r.status]),
      [
        ["a", "completed"],
        ["b", "failed"],
      ],
    );
    assert.match(rows[0].time, /^\d{4}-\d\d-\d\dT/);
  }));

test("a torn last line is ignored on read and cut before the next append", () =>
  withDir((dir) => {
    const path = join(dir, "journal.jsonl");
    writeFileSync(path, JSON.stringify({ trial: "a", config: {}, status: "completed", metrics: {} }) + "\n");
    appendFileSync(path, '{"trial":"b","config":{},"sta');
    assert.deepEqual(
      readJournal(path).map((r) => r.trial),
      ["a"],
    );
    new Journal(path).append({ trial: "c", config: {}, status: "completed", metrics: {} });
    assert.deepEqual(
      readJournal(path).map((r) => r.trial),
      ["a", "c"],
    );
    assert.ok(!readFileSync(path, "utf8").includes('"sta\n'));
  }));

test("a corrupt line that is not the last one is an error naming the line", () =>
  withDir((dir) => {
    const path = join(dir, "journal.jsonl");
    writeFileSync(path, "{bad\n" + JSON.stringify({ trial: "a", config: {}, status: "completed" }) + "\n");
    assert.throws(() => readJournal(path), /line 1/);
  }));

test("finalRows: the first final row of a trial wins; rung rows are not final", () => {
  const rows = [
    { trial: "a", config: {}, status: "rung" as const, time: "" },
    { trial: "a", config: {}, status: "completed" as const, metrics: { f: 1 }, time: "" },
    { trial: "a", config: {}, status: "completed" as const, metrics: { f: 9 }, time: "" },
    { trial: "b", config: {}, status: "rung" as const, time: "" },
  ];
  const finals = finalRows(rows);
  assert.deepEqual([...finals.keys()], ["a"]);
  assert.deepEqual(finals.get("a")!.metrics, { f: 1 });
});
