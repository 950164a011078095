import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { numpy as np } from "@jax-js/jax";
import { startEngine } from "../../src/engine/index.js";
import { objectiveFromFunction } from "../../src/problems/index.js";
import { coordinateDescent } from "../../src/solvers/index.js";

/** f = Σ (x_i⁴/4 − x_i²/2) + 0.1 x₀x₁: ∂²f/∂x_i² = 3x_i² − 1 is negative near 0, so Newton's step is refused there. */
const doubleWell = (x: np.Array) =>
  np
    .power(x.ref, 4)
    .mul(0.25)
    .sub(np.square(x.ref).mul(0.5))
    .sum()
    .add(
      x.ref
        .slice([0, 1])
        .mul(x.slice([1, 2]))
        .sum()
        .mul(0.1),
    );

describe("coordinate descent's compiled sweep (single coordinates, exact rule)", () => {
  before(() => startEngine());

  it("charges one f, one derivative and one second derivative per coordinate, plus ∇f once per sweep", () => {
    const quadratic = (x: np.Array) => np.square(x.ref.slice([0, 2]).sub(x.slice([1, 3]))).sum();
    const objective = objectiveFromFunction(quadratic, [1, 0, -1]);
    try {
      const run = coordinateDescent(objective, [1, 0, -1], { steps: 4 });
      assert.equal(run.iterations, 4);
      // Start: f and ∇f once; each sweep: 3 coordinates, then f and ∇f for the stopping test.
      assert.deepEqual([run.fevals, run.gevals, run.hvps], [1 + 4 * 4, 1 + 4 * 4, 4 * 3]);
      assert.deepEqual(
        run.history!.map((h) => h.refused),
        [0, 0, 0, 0],
      );
    } finally {
      objective.dispose();
    }
  });

  it("refuses Newton's step where ∂²f/∂x_i² <= 0, takes the line search there instead, and converges", () => {
    const x0 = [0.1, -0.2, 0.05];
    const objective = objectiveFromFunction(doubleWell, x0);
    try {
      const run = coordinateDescent(objective, x0, { tol: 1e-10 });
      assert.equal(run.converged, true, run.message);
      assert.ok(run.history![0].refused === 3, `refused ${run.history![0].refused}`);
      // Each coordinate ends in a well: x_i³ − x_i + 0.1 x_j = 0 (j the coupled partner; x₂ alone).
      const [a, b, c] = run.x;
      assert.ok(Math.abs(a ** 3 - a + 0.1 * b) < 1e-10 && Math.abs(b ** 3 - b + 0.1 * a) < 1e-10);
      assert.ok(Math.abs(Math.abs(c) - 1) < 1e-10, `x₂ = ${c}`);
      assert.ok(run.f < -0.5, `f = ${run.f}`);
    } finally {
      objective.dispose();
    }
  });

  it("uses the user's ∇f and Hessian-vector product when given", () => {
    let gradCalls = 0;
    let hvpCalls = 0;
    const f = (x: np.Array) => np.square(x.sub(3)).sum();
    const jac = (x: np.Array) => (gradCalls++, x.sub(3).mul(2));
    const hessp = (x: np.Array, v: np.Array) => (hvpCalls++, x.mul(0).add(v.mul(2)));
    const objective = objectiveFromFunction(f, [0, 0], { jac, hessp });
    try {
      const run = coordinateDescent(objective, [0, 0]);
      assert.equal(run.converged, true);
      assert.deepEqual(Array.from(run.x), [3, 3]);
      assert.ok(gradCalls > 0 && hvpCalls > 0);
    } finally {
      objective.dispose();
    }
  });
});
