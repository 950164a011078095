import assert from "node:assert/strict";
import { before, test } from "node:test";
import {
  componentRate,
  eigenComponentErrors,
  momentumPhaseDiagram,
  momentumRate,
  optimalMomentum,
} from "../../src/curvature/momentumRates.js";
import { precisionOf, startEngine } from "../../src/engine/index.js";
import { symmetricEigen } from "../../src/linalg/matrix.js";
import { firstOrderMethods } from "../../src/methods/firstOrder.js";
import { Objective } from "../../src/problems/objective.js";
import { SURFACES } from "../../src/problems/surfaces.js";

before(() => startEngine());

/** The ill-conditioned surface's path under a method, and its Hessian's eigenpairs (λ = 1, 25). */
function run(method: string, config: Record<string, number>, steps: number) {
  const precision = precisionOf("float64");
  const surface = SURFACES["ill-conditioned"];
  const problem = surface.problem(precision);
  const objective = new Objective(problem, precision);
  try {
    const { values, vectors } = symmetricEigen(objective.hessian([0, 0]), 2);
    const eigenvectors = [0, 1].map((i) => [vectors[i], vectors[2 + i]]);
    const result = firstOrderMethods[method].run(objective, Float64Array.from(surface.start), config, {
      steps,
      recordTrajectory: true,
    });
    const path = [Float64Array.from(surface.start), ...result.trajectory!];
    return { eigenvalues: Array.from(values), errors: eigenComponentErrors(path, [0, 0], eigenvectors) };
  } finally {
    objective.dispose();
    problem.dispose();
  }
}

test("gradient descent: each eigen-component shrinks by exactly |1 − ελᵢ| per step", () => {
  const lr = 0.05;
  const { eigenvalues, errors } = run("book.sgd", { lr }, 20);
  assert.deepEqual(
    eigenvalues.map((v) => Math.round(v * 1e9) / 1e9).sort((a, b) => a - b),
    [1, 25],
  );
  eigenvalues.forEach((lambda, i) => {
    for (let k = 0; k < 10; k++) {
      const ratio = errors[i][k + 1] / errors[i][k];
      assert.ok(Math.abs(ratio - componentRate(lr, 0, lambda)) < 1e-9, `λ ${lambda} step ${k}: ${ratio}`);
    }
  });
});

test("momentum: the slow component's measured rate is the predicted spectral radius; each has its own rate", () => {
  const [lr, alpha] = [0.01, 0.3];
  const { eigenvalues, errors } = run("book.momentum", { lr, alpha }, 160);
  const slow = eigenvalues.indexOf(Math.min(...eigenvalues));
  const measured = errors[slow][151] / errors[slow][150];
  assert.ok(Math.abs(measured - componentRate(lr, alpha, 1)) < 1e-6, `${measured} vs ${componentRate(lr, alpha, 1)}`);
  assert.equal(momentumRate(lr, alpha, eigenvalues), componentRate(lr, alpha, eigenvalues[slow]));
  // The stiff component (complex roots, |z| = √α ≈ 0.55) is down to rounding by then, the slow one (0.986) is not.
  assert.ok(errors[1 - slow][150] < 1e-12 * errors[slow][150], `${errors[1 - slow][150]} vs ${errors[slow][150]}`);
});

test("phase diagram: the optimal (ε, α) reaches (√κ − 1)/(√κ + 1), past 2/λmax gradient descent diverges", () => {
  const best = optimalMomentum(1, 25);
  assert.ok(Math.abs(best.rate - 4 / 6) < 1e-15);
  assert.ok(Math.abs(momentumRate(best.lr, best.momentum, [1, 25]) - best.rate) < 1e-12);
  const lrs = Array.from({ length: 41 }, (_, i) => (i + 1) * 0.005);
  const momenta = Array.from({ length: 40 }, (_, j) => j * 0.025);
  const grid = momentumPhaseDiagram([1, 25], lrs, momenta);
  assert.equal(grid.length, 41 * 40);
  assert.ok(Math.min(...grid) >= best.rate - 1e-12, "no grid point beats the optimum");
  assert.equal(grid[0 * 41 + 3], momentumRate(lrs[3], 0, [1, 25]));
  assert.ok(momentumRate(2.1 / 25, 0, [1, 25]) > 1);
  const { errors } = run("book.sgd", { lr: 2.1 / 25 }, 30);
  assert.ok(errors[1][30] > errors[1][0] || errors[0][30] > errors[0][0], "the stiff component grows");
  assert.throws(() => optimalMomentum(0, 1), /0 < λmin <= λmax, got 0, 1/);
});
