import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { numpy as np } from "@jax-js/jax";
import { precisionOf, startEngine } from "../../src/engine/index.js";
import { newtonCg } from "../../src/solvers/newtonCg.js";
import { Objective, type Problem } from "../../src/problems/index.js";

const precision = precisionOf("float64");

/**
 * f(x) = √x: from 0.5 the first trust-region step (negative
 * curvature, to the boundary) lands on x = −0.5, where f is NaN.
 */
const sqrtProblem = (): Problem => ({
  name: "sqrt",
  dim: 1,
  x0: Float64Array.of(0.5),
  f: (x) => np.sqrt(x).sum(),
  dispose: () => {},
});

describe("trust-region Newton-CG where f is not finite", () => {
  before(() => startEngine());

  it("treats a NaN trial as a rejection (ρ = −∞), shrinks the radius and terminates", () => {
    const problem = sqrtProblem();
    const objective = new Objective(problem, precision);
    try {
      const result = newtonCg(objective, problem.x0, { globalization: "trust-region", maxIter: 20 });
      assert.ok(result.x[0] >= 0 && result.x[0] < 0.5, `x = ${result.x[0]}`);
      assert.ok(Number.isFinite(result.f) && result.f < Math.sqrt(0.5));
      assert.ok(result.fevals < 20 * 62, `${result.fevals} evaluations of f`);
    } finally {
      objective.dispose();
    }
  });

  it("stops with a message naming the non-finite f when no trial can be accepted", () => {
    // f = x where x = 0, NaN elsewhere: every trial is rejected and the radius collapses.
    const f = (x: np.Array) => x.ref.sum().add(np.where(np.equal(x, 0), 0, NaN).sum());
    const problem: Problem = { name: "nan-off-start", dim: 1, x0: Float64Array.of(0), f, dispose: () => {} };
    const objective = new Objective(problem, precision);
    try {
      const result = newtonCg(objective, problem.x0, { globalization: "trust-region", maxIter: 5 });
      assert.equal(result.converged, false);
      assert.equal(result.iterations, 0);
      assert.match(result.message, /f is NaN at every trial point/);
      assert.ok(result.fevals <= 61, `${result.fevals} evaluations of f (the start plus at most 60 trials)`);
    } finally {
      objective.dispose();
    }
  });
});
