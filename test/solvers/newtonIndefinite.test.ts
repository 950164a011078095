import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { precisionOf, startEngine } from "../../src/engine/index.js";
import { Objective } from "../../src/problems/objective.js";
import { scipySuiteProblem } from "../../src/problems/scipySuite.js";
import { newton } from "../../src/solvers/newton.js";

describe("adaptive Newton where H is indefinite (found by solvers-benchmark on SciPy's sin-1d)", () => {
  before(() => startEngine());

  it(
    "sin(x) from x0 = 0.9504 (H = −0.81): a step of length 1, then the minimum −1 (before: a jump to x = −5.2e15, " +
      "stuck)",
    () => {
      const precision = precisionOf("float64");
      const objective = new Objective(scipySuiteProblem("sin-1d").build(precision), precision);
      const result = newton(objective, [0.9503685142741585], { tol: 1e-8, recordTrajectory: true });
      objective.dispose();
      assert.ok(result.converged, result.message);
      assert.equal(result.f, -1);
      assert.ok(Math.abs(result.history![0].stepNorm - 1) < 1e-12, `first step ${result.history![0].stepNorm}`);
      assert.ok(Math.abs(result.x[0] + Math.PI / 2) < 1e-6, `x = ${result.x[0]}`);
    },
  );
});
