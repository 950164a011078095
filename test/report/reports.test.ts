import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { descent } from "../cli/run.js";

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `descent-report-${name}-`));

describe("train reports", () => {
  it("say a regression run is regression, with no accuracy, and save each chart beside metrics.jsonl", () => {
    const out = tmp("regression");
    const run = descent(["train", "--dataset", "regression", "--epochs", "2", "--out", out, "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const html = readFileSync(join(out, "report.html"), "utf8");
    assert.match(html, /Regression: the loss is the mean squared error/);
    assert.match(html, /test loss \(mean squared error\)/);
    assert.doesNotMatch(html, /<th>test accuracy|Validation accuracy|n\/a/);
    for (const f of ["loss.svg", "gradient-norm.svg"]) assert.match(readFileSync(join(out, f), "utf8"), /^<svg/, f);
    assert.ok(!existsSync(join(out, "accuracy.svg")));
  });

  it("format a classification run's numbers to 3-4 significant digits with integer epoch ticks", () => {
    const out = tmp("classification");
    const run = descent(["train", "--dataset", "blobs", "--epochs", "3", "--out", out, "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout);
    const html = readFileSync(join(out, "report.html"), "utf8");
    assert.match(html, /<th>task<\/th><td>classification<\/td>/);
    assert.match(html, new RegExp(`<td>${Number(summary.testLoss.toPrecision(4))}</td>`));
    const cells = [...html.matchAll(/<td>([^<]*)<\/td>/g)].map((m) => m[1]);
    assert.ok(cells.length >= 8);
    for (const cell of cells) assert.doesNotMatch(cell, /\d\.\d{5,}/, `float noise in "${cell}"`);
    const accuracy = readFileSync(join(out, "accuracy.svg"), "utf8");
    // The epoch axis of a 3-epoch run carries the ticks 1, 2, 3 and nothing fractional.
    assert.doesNotMatch(accuracy, />\d\.5</);
    assert.match(accuracy, /%</);
  });
});
