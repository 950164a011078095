import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { functionLine, hagerZhang } from "../../src/linesearch/index.js";
import { precisionOf, startEngine } from "../../src/engine/index.js";
import { mghProblem } from "../../src/problems/mgh/index.js";
import { Objective } from "../../src/problems/objective.js";
import { cgDescent } from "../../src/solvers/cgDescent.js";

/** Moré & Thuente's (1994) first two test functions of one variable. */
const lines = [
  { name: "−α/(α² + 2)", phi: (a: number) => -a / (a * a + 2), dphi: (a: number) => (a * a - 2) / (a * a + 2) ** 2 },
  {
    name: "(α + 0.004)⁵ − 2(α + 0.004)⁴",
    phi: (a: number) => (a + 0.004) ** 5 - 2 * (a + 0.004) ** 4,
    dphi: (a: number) => 5 * (a + 0.004) ** 4 - 8 * (a + 0.004) ** 3,
  },
];

describe("Hager–Zhang line search and CG_DESCENT (Hager & Zhang 2005, 2006)", () => {
  before(() => startEngine());

  for (const { name, phi, dphi } of lines) {
    it(
      `${name}: from every first step, a step meeting the Wolfe (or approximate Wolfe) conditions, δ = 0.1, σ = ` +
        `0.9`,
      () => {
        for (const alpha0 of [1e-3, 1e-1, 1, 10, 1000]) {
          const result = hagerZhang(functionLine(phi, dphi), phi(0), dphi(0), { alpha0 });
          assert.ok(result.ok, `α0 = ${alpha0}: ${result.message}`);
          const [a, f0, d0] = [result.alpha, phi(0), dphi(0)];
          assert.ok(dphi(a) >= 0.9 * d0, `curvature fails at α = ${a}`);
          const wolfe = phi(a) <= f0 + 0.1 * a * d0;
          const approximate = dphi(a) <= (2 * 0.1 - 1) * d0 && phi(a) <= f0 + 1e-6 * Math.abs(f0);
          assert.ok(wolfe || approximate, `α = ${a} from α0 = ${alpha0}: neither condition`);
        }
      },
    );
  }

  it("refuses an ascent direction without evaluating anything", () => {
    const line = functionLine(
      (a) => a,
      () => 1,
    );
    const result = hagerZhang(line, 0, 1);
    assert.equal(result.ok, false);
    assert.equal(line.counts.fevals + line.counts.gevals, 0);
  });

  it(
    "cg-hz reaches ‖g‖ <= 1e-8 on MGH rosenbrock, beale, helical valley and wood, within the recorded gradient " +
      "counts",
    () => {
      const precision = precisionOf("float64");
      // Recorded when written (exact float64): 68, 20, 57 and 238 gradients.
      for (const [name, most] of [
        ["rosenbrock", 68],
        ["beale", 20],
        ["helical-valley", 57],
        ["wood", 238],
      ] as const) {
        const objective = new Objective(mghProblem(name, { precision }), precision);
        const result = cgDescent(objective, objective.problem.x0, { tol: 1e-8 });
        objective.dispose();
        assert.ok(result.converged, `${name}: ${result.message}`);
        assert.ok(result.gevals <= most, `${name}: ${result.gevals} gradients (recorded ${most})`);
        // Descent directions (β̄ = max(β^N, η_k)) and sufficient decrease: f never rose.
        const fs = result.history!.map((h) => h.f);
        assert.ok(
          fs.every((f, i) => i === 0 || f <= fs[i - 1]),
          `${name}: f rose`,
        );
      }
    },
  );
});
