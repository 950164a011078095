import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { numpy as np } from "@jax-js/jax";
import { precisionOf, random, startEngine } from "../../src/engine/index.js";
import { gaussianBlobs } from "../../src/data/index.js";
import { quadraticProblem, type Problem } from "../../src/problems/index.js";
import { deepMlp } from "../../src/strategies/deepMlp.js";
import { blurredObjective, continuation, geometricSigmas } from "../../src/strategies/continuation.js";
import { modelObjective } from "../../src/strategies/modelObjective.js";

const precision = precisionOf("float64-fast");
const A = [
  [3, 1, 0],
  [1, 2, 0.5],
  [0, 0.5, 1],
];
const b = [1, -1, 2];
const theta = [1, -2, 0.5];
const matVec = (m: number[][], v: number[]) => m.map((row) => row.reduce((s, a, j) => s + a * v[j], 0));
const trueGrad = matVec(A, theta).map((v, j) => v - b[j]);
// A is symmetric, so (A²)_jj = Σ_k A_jk².
const gradStd = (sigma: number) => A.map((row) => sigma * Math.sqrt(row.reduce((s, a) => s + a * a, 0)));

/** A 1-D Rastrigin function x² − 10 cos(2πx) + 10: local minima near every integer, the global one at 0. */
const rastrigin1d: Problem = {
  name: "rastrigin1d",
  dim: 1,
  x0: Float64Array.of(3),
  f: (x) =>
    np
      .square(x.ref)
      .sub(np.cos(x.mul(2 * Math.PI)).mul(10))
      .add(10)
      .sum(),
  dispose() {},
};

describe("continuation (eq. 8.40)", () => {
  before(async () => startEngine());

  it("samples an unbiased gradient of the blurred quadratic, within the Monte-Carlo bound", () => {
    const problem = quadraticProblem(A, b, precision);
    const blurred = blurredObjective(problem, precision);
    const sigma = 0.7;
    const samples = 4000;
    const est = blurred.estimate(theta, random.randomKey(11), { sigma, samples });
    gradStd(sigma).forEach((sd, j) => {
      const se = sd / Math.sqrt(samples);
      assert.ok(
        Math.abs(est.grad[j] - trueGrad[j]) < 4 * se,
        `coordinate ${j}: ${est.grad[j]} vs ${trueGrad[j]} (se ${se})`,
      );
      // The reported standard error matches the analytic one.
      assert.ok(Math.abs(est.gradStdErr[j] / se - 1) < 0.1, `standard error ${est.gradStdErr[j]} vs ${se}`);
    });
    // J⁽σ⁾(θ) = J(θ) + σ²/2 tr(A); Var J(θ+σε) = σ²‖∇J‖² + σ⁴ tr(A²)/2.
    const J =
      0.5 * theta.reduce((s, t, j) => s + t * matVec(A, theta)[j], 0) - theta.reduce((s, t, j) => s + t * b[j], 0);
    const trA = A[0][0] + A[1][1] + A[2][2];
    const trA2 = A.flat().reduce((s, a) => s + a * a, 0);
    const valueSe = Math.sqrt(
      (sigma ** 2 * trueGrad.reduce((s, g) => s + g * g, 0) + (sigma ** 4 * trA2) / 2) / samples,
    );
    assert.ok(
      Math.abs(est.value - (J + (sigma ** 2 / 2) * trA)) < 4 * valueSe,
      `value ${est.value} vs ${J + (sigma ** 2 / 2) * trA}`,
    );
    // Antithetic pairs cancel the linear noise term exactly on a quadratic.
    const anti = blurred.estimate(theta, random.randomKey(12), { sigma, samples: 8, antithetic: true });
    anti.grad.forEach((g, j) => assert.ok(Math.abs(g - trueGrad[j]) < 1e-9, `antithetic ${g} vs ${trueGrad[j]}`));
    assert.throws(
      () => blurred.estimate(theta, random.randomKey(1), { sigma, samples: 3, antithetic: true }),
      /even number of samples/,
    );
    blurred.dispose();
    problem.dispose();
  });

  it("leaves the blurred quadratic's minimizer where it was", () => {
    const problem = quadraticProblem(A, b, precision);
    const solution = [0.8823529411764706, -1.6470588235294117, 2.823529411764706]; // A⁻¹b (numpy.linalg.solve)
    assert.deepEqual(
      matVec(A, solution).map((v) => Number(v.toFixed(12))),
      b,
    );
    const result = continuation(problem, [5, 5, 5], {
      sigmas: [2, 1, 0.5],
      stepsPerStage: 150,
      lr: 0.25,
      samples: 4,
      antithetic: true,
      seed: 3,
      precision,
    });
    result.x.forEach((v, j) => assert.ok(Math.abs(v - solution[j]) < 1e-6, `x[${j}] = ${v}, expected ${solution[j]}`));
    assert.equal(result.stages.length, 3);
    problem.dispose();
  });

  it("escapes the local minima that trap gradient descent (1-D Rastrigin from x = 3)", () => {
    const plain = continuation(rastrigin1d, [3], {
      sigmas: [0],
      stepsPerStage: 200,
      lr: 0.004,
      samples: 1,
      seed: 1,
      precision,
    });
    assert.ok(Math.abs(plain.x[0] - 2.98) < 0.05, `plain descent should stay near 3, got ${plain.x[0]}`);
    const blurred = continuation(rastrigin1d, [3], {
      sigmas: geometricSigmas(1.5, 0.1, 4),
      stepsPerStage: 200,
      lr: 0.004,
      samples: 32,
      antithetic: true,
      seed: 1,
      precision,
    });
    assert.deepEqual(
      geometricSigmas(1.5, 0.1, 4).map((s) => Number(s.toFixed(6))),
      [1.5, 0.60822, 0.246621, 0.1, 0],
    );
    assert.ok(Math.abs(blurred.x[0]) < 0.05, `continuation should reach the global basin at 0, got ${blurred.x[0]}`);
  });

  it("works on a network's training loss through modelObjective", () => {
    const data = gaussianBlobs({ count: 40, classes: 2, dim: 3, key: 2 });
    const model = deepMlp(2, { depth: 1, width: 4, activation: "tanh" });
    const objective = modelObjective(model, data, precision, 5);
    assert.equal(objective.dim, 3 * 4 + 4 + 4 * 2 + 2);
    assert.deepEqual(objective.paths, ["hidden.0.weight", "hidden.0.bias", "output.weight", "output.bias"]);
    const result = continuation(objective, objective.x0, {
      sigmas: [0.3, 0],
      stepsPerStage: 40,
      lr: 0.5,
      samples: 8,
      antithetic: true,
      seed: 2,
      precision,
    });
    const start = blurredObjective(objective, precision).estimate(objective.x0, random.randomKey(0), {
      sigma: 0,
      samples: 1,
    }).value;
    assert.ok(result.stages[1].fun < 0.5 * start, `loss ${start} → ${result.stages[1].fun}`);
    objective.dispose();
  });
});
