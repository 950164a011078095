import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mghCases } from "../../src/benchmark/cases.js";
import { readScipyResults, SCIPY_RESULTS } from "../../src/benchmark/scipy.js";
import { benchmarkCases } from "../../src/benchmark/suite.js";

describe("SciPy's committed results (bench/results/scipy-solvers.json, written by bench/scipy_mgh.py)", () => {
  it("cover the --quick cases and the MGH standard starts, four methods each, from the same starts", () => {
    const quick = benchmarkCases({ suite: "all", quick: true });
    const results = readScipyResults(quick);
    assert.deepEqual(results.missing, []);
    assert.equal(results.runs.length, 4 * quick.length);
    assert.match(results.scipy, /^1\.\d+\.\d+$/);
    const standard = readScipyResults(mghCases([1]));
    assert.deepEqual(standard.missing, []);
    assert.deepEqual([...new Set(standard.runs.map((r) => r.method))], ["BFGS", "L-BFGS-B", "CG", "Newton-CG"]);
  });

  it("a case whose start differs from the file's (scaled starts) is reported missing, not silently matched", () => {
    const scaled = mghCases([10]).slice(0, 3);
    const results = readScipyResults(scaled);
    assert.deepEqual(
      results.missing,
      scaled.map((c) => c.id),
    );
    assert.equal(results.runs.length, 0);
  });

  it("a missing file gives no runs and every case missing", () => {
    const cases = mghCases([1]).slice(0, 2);
    assert.deepEqual(
      readScipyResults(cases, `${SCIPY_RESULTS}.absent`).missing,
      cases.map((c) => c.id),
    );
  });
});
