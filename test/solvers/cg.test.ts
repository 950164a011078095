import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { precisionOf, startEngine } from "../../src/engine/index.js";
import { loadProblem, Objective } from "../../src/problems/index.js";
import { cgBeta, conjugateGradient } from "../../src/solvers/index.js";

const precision = precisionOf("float64");
const setup = (name: string, opts: { dim?: number; cond?: number } = {}) => {
  const { problem } = loadProblem(name, { precision, ...opts });
  return { objective: new Objective(problem, precision), x0: problem.x0 };
};

describe("conjugate gradients (Alg. 8.9)", () => {
  before(() => startEngine());

  it("β: Fletcher-Reeves, Polak-Ribière and PR+ from their formulas", () => {
    const g = Float64Array.from([1, 2]);
    const gPrev = Float64Array.from([2, 2]);
    assert.equal(cgBeta("fr", g, gPrev), 5 / 8);
    assert.equal(cgBeta("pr", g, gPrev), (5 - 6) / 8);
    assert.equal(cgBeta("prplus", g, gPrev), 0);
  });

  it("with the exact step, terminates on an n-dimensional quadratic within n iterations (‖g‖ down 1e8)", () => {
    for (const variant of ["fr", "pr", "prplus"] as const) {
      const { objective, x0 } = setup("quadratic", { dim: 12, cond: 30 });
      const g0 = Math.hypot(...objective.valueAndGrad(x0)[1]);
      const result = conjugateGradient(objective, x0, { variant, lineSearch: "exact", tol: 1e-8 * g0 });
      assert.ok(result.converged, `${variant}: ${result.message}`);
      assert.ok(result.iterations <= 12, `${variant}: ${result.iterations} iterations`);
      assert.equal(result.hvps, result.iterations);
    }
  });

  it("with strong Wolfe (c2 = 0.1), every variant minimizes rosenbrock; restarts are counted", () => {
    for (const variant of ["fr", "pr", "prplus"] as const) {
      const { objective, x0 } = setup("rosenbrock", { dim: 4 });
      const result = conjugateGradient(objective, x0, { variant, maxIter: 5000 });
      assert.ok(result.converged, `${variant}: ${result.message}`);
      assert.ok(result.f < 1e-9, `${variant}: f = ${result.f}`);
      assert.match(result.message, /\(\d+ restarts\)/);
    }
  });

  it("restarts with ρ = −g every k iterations (β = 0 there)", () => {
    const { objective, x0 } = setup("rosenbrock", { dim: 6 });
    const result = conjugateGradient(objective, x0, { restartEvery: 3, powellNu: 0, steps: 9 });
    assert.deepEqual(
      [3, 6, 9].map((k) => result.history![k - 1].beta),
      [0, 0, 0],
    );
  });

  it("a warm-up of plain gradient steps (8.6.2) runs first and is counted", () => {
    const { objective, x0 } = setup("rosenbrock", { dim: 2 });
    const result = conjugateGradient(objective, x0, { warmup: { steps: 3, lr: 1e-3 } });
    assert.ok(result.converged);
    assert.deepEqual(
      result.history!.slice(0, 4).map((h) => h.warmup ?? 0),
      [1, 1, 1, 0],
    );
    assert.equal(result.history![2].gevals, 4);
  });

  it("the exact step stops with a clear message where the curvature along ρ is not positive", () => {
    const { objective } = setup("saddle");
    const result = conjugateGradient(objective, Float64Array.from([0.5, 1]), { lineSearch: "exact" });
    assert.equal(result.converged, false);
    assert.match(result.message, /exact step failed: the exact step needs positive curvature along p/);
  });
});
