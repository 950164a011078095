import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startEngine } from "../../src/engine/index.js";
import { deepQuadraticHessian, suiteProblem } from "../../src/benchmark-suite/problems.js";
import { runSuiteTrial, trialBudget } from "../../src/benchmark-suite/trial.js";

before(async () => {
  await startEngine();
});

describe("one benchmark run", () => {
  it("a first-order run: the curve's costs are k·B/N at its evaluation points, from ½ mean (1−x)ᵀQ(1−x)", () => {
    const problem = suiteProblem("quadratic_deep");
    const result = runSuiteTrial({ problem: "quadratic_deep", method: "book.sgd", lr: 0.01, seed: 3, budget: 0.1 });
    const { steps, epochs } = trialBudget(problem, 0.1);
    assert.equal(steps, 20);
    assert.equal(result.budgetEpochs, epochs);
    assert.deepEqual(
      result.curve.map(([cost]) => cost),
      Array.from({ length: 11 }, (_, i) => (i * 2 * 128) / 1000),
    );
    // f0 on the host in float64: θ = 1 for every seed.
    const q = deepQuadraticHessian(100, 42);
    const x = problem.evaluation.x;
    let total = 0;
    for (let n = 0; n < 1000; n++) {
      const d = Array.from({ length: 100 }, (_, i) => 1 - x[n * 100 + i]);
      for (let i = 0; i < 100; i++) for (let j = 0; j < 100; j++) total += 0.5 * d[i] * q[i * 100 + j] * d[j];
    }
    assert.ok(Math.abs(result.f0 - total / 1000) < 1e-4 * result.f0, `${result.f0} vs ${total / 1000}`);
    assert.ok(result.f! < result.f0 / 2);
    assert.equal(result.diverged, false);
  });

  it("a rate far too large diverges: f is null and the curve stops", () => {
    const result = runSuiteTrial({ problem: "rosenbrock", method: "book.sgd", lr: 1, seed: 0, budget: 0.1 });
    assert.equal(result.diverged, true);
    assert.equal(result.f, null);
    assert.equal(result.curve[result.curve.length - 1][1], null);
  });

  it("L-BFGS runs full batch: a curve point per gradient evaluation, within the budget, f decreasing", () => {
    const result = runSuiteTrial({ problem: "beale", method: "lbfgs", seed: 0, budget: 1 });
    assert.equal(result.lr, null);
    const costs = result.curve.map(([c]) => c);
    assert.ok(costs.every((c, i) => i === 0 || (c > costs[i - 1] && c <= result.budgetEpochs)));
    const fs = result.curve.map(([, f]) => f!);
    assert.ok(fs.every((f, i) => i === 0 || f <= fs[i - 1]));
    assert.ok(result.f! < 1e-3 * result.f0);
  });
});
