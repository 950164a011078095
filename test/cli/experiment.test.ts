import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { descent } from "./run.js";

describe("descent experiment", () => {
  it("prints one JSON line with the claim and the verdict, and writes result.json and chart.svg", () => {
    const out = join(mkdtempSync(join(tmpdir(), "experiment-")), "clipping");
    const run = descent(["experiment", "clipping", "--smoke", "--seeds", "2", "--json", "--out", out]);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split("\n");
    assert.equal(lines.length, 1);
    const summary = JSON.parse(lines[0]);
    assert.equal(summary.experiment, "clipping");
    assert.match(summary.claim, /cliff/);
    assert.equal(typeof summary.reproduced, "boolean");
    assert.deepEqual(
      summary.rows.map((r: { variant: string }) => r.variant),
      ["no clipping", "clip ‖g‖ ≤ 1", "RNN: no clipping", "RNN: clip ‖g‖ ≤ 1"],
    );
    const result = JSON.parse(readFileSync(join(out, "result.json"), "utf8"));
    assert.deepEqual(result.seeds, [1, 2]);
    assert.equal(result.reproduced, summary.reproduced);
    // Each row keeps its per-seed values, in seed order, beside their mean.
    for (const row of result.rows.slice(0, 2) as { lostShare: number; perSeed: { lostShare: number[] } }[]) {
      assert.equal(row.perSeed.lostShare.length, 2);
      assert.ok(Math.abs((row.perSeed.lostShare[0] + row.perSeed.lostShare[1]) / 2 - row.lostShare) < 1e-12);
    }
    assert.match(readFileSync(join(out, "chart.svg"), "utf8"), /^<svg/);
  });

  it("prints a table of mean ± std without --json", () => {
    const out = mkdtempSync(join(tmpdir(), "experiment-"));
    const run = descent(["experiment", "continuation", "--smoke", "--out", out]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /variant\s+globalBasinShare/);
    assert.match(run.stdout, /continuation\s+\S+ ± \S+/);
    assert.match(run.stdout, /reproduced: (true|false)/);
  });

  it("rejects an unknown experiment and conflicting sizes with exit code 2", () => {
    const unknown = descent(["experiment", "nope"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown experiment "nope"; expected one of batchnorm/);
    const both = descent(["experiment", "clipping", "--quick", "--smoke"]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--quick and --smoke/);
  });
});
