import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { startEngine, precisionOf } from "../../src/engine/index.js";
import { allMethods } from "../../src/methods/index.js";
import { Objective, SURFACES } from "../../src/problems/index.js";
import { raceOnSurface } from "../../src/report/landscape.js";
import { symmetricEigen2 } from "../../src/report/figures/index.js";

const precision = precisionOf("float64");

describe("surfaces and landscapes", () => {
  before(async () => {
    await startEngine();
  });

  it("each surface's gradient matches central differences at its start, and vanishes at its known minimum", () => {
    for (const surface of Object.values(SURFACES)) {
      const problem = surface.problem(precision);
      const objective = new Objective(problem, precision);
      const [, g] = objective.valueAndGrad(surface.start);
      const h = 1e-6;
      for (const k of [0, 1]) {
        const plus = [...surface.start];
        const minus = [...surface.start];
        plus[k] += h;
        minus[k] -= h;
        const fd = (objective.value(plus) - objective.value(minus)) / (2 * h);
        assert.ok(Math.abs(fd - g[k]) <= 1e-5 * Math.max(1, Math.abs(fd)), `${surface.name} ∂${k}: ${g[k]} vs ${fd}`);
      }
      if (surface.minimum) {
        const [, gMin] = objective.valueAndGrad(surface.minimum);
        assert.ok(
          Math.hypot(gMin[0], gMin[1]) < 1e-9,
          `${surface.name}: ‖∇f‖ at the minimum ${Math.hypot(gMin[0], gMin[1])}`,
        );
      }
      objective.dispose();
      problem.dispose();
    }
  });

  it("runs every first-order method and every solver on every surface, recording each path from the start", () => {
    const methods = Object.keys(allMethods());
    for (const surface of Object.values(SURFACES)) {
      const runs = raceOnSurface(
        surface,
        methods.map((method) => ({ method })),
        { steps: 3, precision },
      );
      assert.equal(runs.length, methods.length);
      for (const run of runs) {
        const where = `${surface.name}, ${run.label}`;
        assert.deepEqual(run.path[0], surface.start, where);
        assert.ok(run.path.length >= 2 && run.path.length <= 4, `${where}: ${run.path.length} points`);
        assert.equal(run.losses.length, run.path.length);
        assert.ok(run.losses.every(Number.isFinite), where);
      }
    }
  });

  it("gradient descent lowers f on every surface, and conjugate gradients ends the quadratic in 2 steps", () => {
    for (const surface of Object.values(SURFACES)) {
      const [sgd] = raceOnSurface(surface, [{ method: "book.sgd", config: { lr: 0.001 } }], { steps: 5, precision });
      assert.ok(sgd.losses[5] < sgd.losses[0], `${surface.name}: ${sgd.losses[0]} → ${sgd.losses[5]}`);
    }
    const [cg] = raceOnSurface(
      SURFACES["ill-conditioned"],
      [{ method: "book.cg_fr", config: { lineSearch: "exact" } }],
      { steps: 10, precision },
    );
    // Conjugate gradients with exact steps: the minimum of a 2-D quadratic in n = 2 iterations.
    assert.ok(cg.losses[2] < 1e-20, `f after 2 CG steps ${cg.losses[2]}`);
  });

  it("finds the eigenvectors of a 2×2 Hessian", () => {
    const { values, vectors } = symmetricEigen2([2, 1, 1, 2]);
    assert.deepEqual(values, [3, 1]);
    assert.ok(
      Math.abs(Math.abs(vectors[0][0]) - Math.SQRT1_2) < 1e-12 && Math.abs(vectors[0][0] - vectors[0][1]) < 1e-12,
    );
  });
});
