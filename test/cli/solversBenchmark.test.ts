import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { descent } from "./run.js";

const BIN = fileURLToPath(new URL("../../bin/descent.js", import.meta.url));

describe("descent solvers-benchmark (end to end, through the built binary)", () => {
  it(
    "--quick --suite all: every solver and SciPy's four on 13 cases, with the table, results and profiles " + "written",
    () => {
      const out = join(mkdtempSync(join(tmpdir(), "descent-solvers-benchmark-")), "report");
      const run = descent([
        "solvers-benchmark",
        "--quick",
        "--suite",
        "all",
        "--methods",
        "bfgs,lbfgs,cg-prplus,newton-cg",
        "--out",
        out,
        "--json",
      ]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout.trim().split("\n").length, 1, "one JSON line");
      const summary = JSON.parse(run.stdout);
      assert.equal(summary.cases, 13);
      const solvers = summary.summary.map((s: { solver: string }) => s.solver);
      assert.deepEqual(solvers, [
        "bfgs",
        "lbfgs",
        "cg-prplus",
        "newton-cg",
        "scipy.BFGS",
        "scipy.L-BFGS-B",
        "scipy.CG",
        "scipy.Newton-CG",
      ]);
      // Every quick case has a finite minimum these solvers reach from its start,
      // except beale#0 (SciPy's box [0, 10]² starts it in the valley towards x → ∞).
      for (const s of summary.summary)
        assert.ok(s.solved[1] >= 11 && s.solved[1] <= s.solved[0], `${s.solver}: ${s.solved}`);
      const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
      assert.equal(results.runs.length, 13 * 4);
      assert.equal(results.scipy.runs.length, 13 * 4);
      const table = readFileSync(join(out, "table.md"), "utf8");
      assert.equal(table.trim().split("\n").length, 2 + 13 * 8);
      for (const tau of ["1e-3", "1e-7"]) {
        for (const kind of ["performance", "data"]) {
          const svg = readFileSync(join(out, `${kind}-profile-tau${tau}.svg`), "utf8");
          assert.match(svg, /^<svg/);
          assert.match(svg, /scipy\.L-BFGS-B/);
          assert.ok(existsSync(join(out, `quasi-newton-${kind}-profile-tau${tau}.svg`)));
        }
      }
    },
  );

  it("without a Python that has scipy, SciPy's side comes from bench/results/scipy-solvers.json", () => {
    const run = spawnSync(
      process.execPath,
      [BIN, "solvers-benchmark", "--quick", "--suite", "scipy", "--methods", "lbfgs", "--json"],
      {
        encoding: "utf8",
        env: { ...process.env, DESCENT_PYTHON: "/nonexistent/python3" },
      },
    );
    assert.equal(run.status, 0, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.deepEqual(summary.scipy, { version: "1.10.1", source: "file", missing: [] });
    assert.equal(summary.summary.length, 5);
  });

  it("bad input exits 2 with one line naming the cause", () => {
    const unknown = descent(["solvers-benchmark", "--methods", "bfgs,nope", "--quick"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^descent: --methods: unknown method nope \(available: .*bfgs/);
    assert.equal(unknown.stderr.trim().split("\n").length, 1);
    const scales = descent(["solvers-benchmark", "--scales", "1,-10"]);
    assert.equal(scales.code, 2);
    assert.match(scales.stderr, /--scales must be positive numbers/);
    const suite = descent(["solvers-benchmark", "--suite", "cute"]);
    assert.equal(suite.code, 2);
  });
});
