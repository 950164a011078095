import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { descent, tmp, TINY } from "./helpers.js";

/**
 * metrics.jsonl without the wall-clock field: what must be identical between an interrupted and an uninterrupted run.
 */
const metrics = (dir: string) =>
  readFileSync(join(dir, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => {
      const { elapsedSeconds: _, ...rest } = JSON.parse(l);
      return rest;
    });

function runJson(args: string[]) {
  const run = descent(["train", ...args, "--json"]);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout);
}

describe("resume equals an uninterrupted run (stopped mid-epoch, at step 13 of 18)", () => {
  for (const optimizer of ["adam", "sgd", "minibatch-lbfgs", "minibatch-cg"]) {
    it(optimizer, () => {
      const args = [...TINY, "--optimizer", optimizer];
      const whole = tmp(`whole-${optimizer}`);
      const a = runJson([...args, "--out", whole]);
      const parts = tmp(`parts-${optimizer}`);
      assert.equal(runJson([...args, "--out", parts, "--stop-after-steps", "13"]).steps, 13);
      const b = runJson(["--out", parts, "--resume"]);
      for (const key of ["steps", "epochs", "trainLoss", "testLoss", "testAccuracy"]) assert.equal(b[key], a[key], key);
      assert.deepEqual(metrics(parts), metrics(whole));
    });
  }
});

describe("extending a run with --epochs on resume", () => {
  it("equals a run started with the larger number (constant schedule)", () => {
    const args = [...TINY, "--schedule", "constant"];
    const longer = tmp("longer");
    const a = runJson([...args, "--epochs", "3", "--out", longer]);
    const extended = tmp("extended");
    runJson([...args, "--out", extended]);
    const b = runJson(["--out", extended, "--resume", "--epochs", "3"]);
    for (const key of ["steps", "trainLoss", "testLoss", "testAccuracy"]) assert.equal(b[key], a[key], key);
    assert.deepEqual(
      metrics(extended).filter((r) => r.type === "epoch"),
      metrics(longer).filter((r) => r.type === "epoch"),
    );
  });

  it("a resumed run's elapsedSeconds continue the first session's", () => {
    const dir = tmp("elapsed");
    runJson([...TINY, "--out", dir, "--stop-after-steps", "13"]);
    runJson(["--out", dir, "--resume"]);
    const seconds = readFileSync(join(dir, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).elapsedSeconds)
      .filter((s) => s !== undefined);
    assert.equal(seconds.length, 2);
    assert.ok(seconds[1] > seconds[0], `${seconds}`);
  });
});
