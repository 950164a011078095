import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { descent } from "./run.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/objectives/${name}`, import.meta.url));

describe("--problem FILE.mjs|.ts: user objectives through the built binary", () => {
  it(
    "optimize --method lbfgs and --method book.adam on bowl.mjs; cg-hz on bowl-grad.ts (hand-written " + "gradient)",
    () => {
      const lbfgs = descent([
        "optimize",
        "--problem",
        fixture("bowl.mjs"),
        "--method",
        "lbfgs",
        "--tol",
        "1e-9",
        "--json",
      ]);
      assert.equal(lbfgs.code, 0, lbfgs.stderr);
      const summary = JSON.parse(lbfgs.stdout);
      assert.equal(summary.problem, "bowl");
      assert.ok(summary.converged && summary.f < 1e-16, JSON.stringify(summary));
      const adam = descent([
        "optimize",
        "--problem",
        fixture("bowl.mjs"),
        "--method",
        "book.adam",
        "--steps",
        "50",
        "--json",
      ]);
      assert.equal(adam.code, 0, adam.stderr);
      assert.ok(JSON.parse(adam.stdout).f < 312);
      const hz = descent(["optimize", "--problem", fixture("bowl-grad.ts"), "--method", "cg-hz", "--json"]);
      assert.equal(hz.code, 0, hz.stderr);
      assert.ok(JSON.parse(hz.stdout).converged);
    },
  );

  it("curvature on bowl.mjs at x0: H = diag(50, 194, 50)", () => {
    const run = descent(["curvature", "--problem", fixture("bowl.mjs"), "--top", "1", "--bottom", "1", "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    const text = JSON.stringify(out);
    assert.match(text, /194/);
    assert.match(text, /50/);
  });

  it("a module that throws, returns a vector or NaN: exit 2 and one line naming the file", () => {
    for (const [file, why] of [
      ["throws.mjs", "f threw at x0"],
      ["vector.mjs", "f must return a scalar"],
      ["nan.mjs", "f(x0) is NaN"],
    ]) {
      const run = descent(["optimize", "--problem", fixture(file), "--method", "bfgs"]);
      assert.equal(run.code, 2, `${file}: ${run.stderr}`);
      assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
      assert.ok(run.stderr.includes(`objective module ${fixture(file)}: ${why}`), run.stderr);
    }
  });
});
