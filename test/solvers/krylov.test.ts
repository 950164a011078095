import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { precisionOf, startEngine } from "../../src/engine/index.js";
import { loadProblem, Objective } from "../../src/problems/index.js";
import { matVec, symmetricEigen, luSolve } from "../../src/linalg/matrix.js";
import { dot, norm } from "../../src/linalg/vector.js";
import { newtonCg, steihaugCg, truncatedCg } from "../../src/solvers/index.js";

// A 3×3 SPD matrix (eigenvalues about 1.3, 3.1, 6.6) and an indefinite one (one negative eigenvalue).
const SPD = Float64Array.from([4, 1, 0.5, 1, 3, 1, 0.5, 1, 4]);
const INDEFINITE = Float64Array.from([2, 0, 0, 0, 1, 0, 0, 0, -1]);
const g = Float64Array.from([1, -2, 0.5]);
const times = (A: Float64Array) => {
  const counter = { products: 0 };
  return { counter, apply: (v: Float64Array) => (counter.products++, matVec(A, v)) };
};
const model = (A: Float64Array, p: Float64Array) => dot(g, p) + 0.5 * dot(p, matVec(A, p));

describe("truncated CG (Newton-CG's inner loop)", () => {
  it("solves an SPD system in at most n products", () => {
    const { counter, apply } = times(SPD);
    const r = truncatedCg(g, apply, 1e-12, 10);
    assert.equal(r.exit, "converged");
    assert.ok(r.iterations <= 3 && counter.products === r.iterations);
    const exact = luSolve(
      SPD,
      Float64Array.from(g, (v) => -v),
    );
    r.step.forEach((v, i) => assert.ok(Math.abs(v - exact[i]) < 1e-12, `p[${i}]`));
  });

  it("stops at the iteration cap with the partial step, and returns −g when given no iterations", () => {
    const capped = truncatedCg(g, times(SPD).apply, 1e-12, 1);
    assert.equal(capped.exit, "max-iterations");
    // One CG step from 0 is the exact minimizer of the model along −g.
    const alpha = dot(g, g) / dot(g, matVec(SPD, g));
    capped.step.forEach((v, i) => assert.ok(Math.abs(v + alpha * g[i]) < 1e-15));
    assert.deepEqual(
      Array.from(truncatedCg(g, times(SPD).apply, 1e-12, 0).step),
      Array.from(g, (v) => -v),
    );
  });

  it("exits on negative curvature: the step built so far, or −g scaled by |gᵀHg|/gᵀg on the first direction", () => {
    const first = truncatedCg(Float64Array.from([0, 0, 1]), times(INDEFINITE).apply, 1e-12, 10);
    assert.equal(first.exit, "negative-curvature");
    assert.equal(first.iterations, 1);
    assert.equal(first.curvature, -1);
    assert.deepEqual(
      Array.from(first.step, (v) => v + 0),
      [0, 0, -1],
    );
    const later = truncatedCg(g, times(INDEFINITE).apply, 1e-12, 10);
    assert.equal(later.exit, "negative-curvature");
    assert.ok(later.iterations > 1 && later.curvature! < 0);
    assert.ok(dot(later.step, g) < 0, "the partial step is a descent direction");
  });
});

describe("CG-Steihaug (the trust-region subproblem, N&W Alg. 7.2)", () => {
  it("returns the Newton step when it lies inside the region", () => {
    const { apply } = times(SPD);
    const r = steihaugCg(g, apply, 100, 1e-12, 10);
    assert.equal(r.exit, "converged");
    const exact = luSolve(
      SPD,
      Float64Array.from(g, (v) => -v),
    );
    r.step.forEach((v, i) => assert.ok(Math.abs(v - exact[i]) < 1e-12));
    matVec(SPD, r.step).forEach((v, i) => assert.ok(Math.abs(v - r.Hstep[i]) < 1e-12, "Hstep is H times the step"));
  });

  it("stops on the boundary ‖p‖ = Δ with a model value no worse than the Cauchy point's", () => {
    const radius = 0.2;
    const r = steihaugCg(g, times(SPD).apply, radius, 1e-12, 10);
    assert.equal(r.exit, "boundary");
    assert.ok(Math.abs(norm(r.step) - radius) < 1e-12);
    const gHg = dot(g, matVec(SPD, g));
    const tau = Math.min(1, norm(g) ** 3 / (radius * gHg));
    const cauchy = Float64Array.from(g, (v) => (-tau * radius * v) / norm(g));
    assert.ok(model(SPD, r.step) <= model(SPD, cauchy) + 1e-15);
    matVec(SPD, r.step).forEach((v, i) => assert.ok(Math.abs(v - r.Hstep[i]) < 1e-12));
  });

  it("follows negative curvature to the boundary", () => {
    const radius = 10;
    const r = steihaugCg(g, times(INDEFINITE).apply, radius, 1e-12, 10);
    assert.equal(r.exit, "negative-curvature");
    assert.ok(Math.abs(norm(r.step) - radius) < 1e-12);
    assert.ok(model(INDEFINITE, r.step) < 0);
    assert.ok(symmetricEigen(INDEFINITE, 3).values.some((v) => v < 0));
  });

  it("reports the iteration cap", () => {
    const r = steihaugCg(g, times(SPD).apply, 100, 0, 1);
    assert.equal(r.exit, "max-iterations");
    assert.equal(r.iterations, 1);
  });
});

describe("trust-region Newton-CG (Steihaug's inner loop)", () => {
  const precision = precisionOf("float64");
  const objectiveOf = (name: string) => {
    const { problem } = loadProblem(name, { precision });
    return { objective: new Objective(problem, precision), x0: problem.x0 };
  };
  before(() => startEngine());

  it("converges on Rosenbrock and on a quadratic, counting Hessian-vector products", () => {
    for (const name of ["rosenbrock", "quadratic"]) {
      const { objective, x0 } = objectiveOf(name);
      const r = newtonCg(objective, x0, { globalization: "trust-region" });
      assert.ok(r.converged, `${name}: ${r.message}`);
      assert.ok(r.gradNorm <= 1e-5);
      assert.ok((r.hvps ?? 0) > 0, "the inner loop runs on HVPs");
      assert.equal(r.hevals, 0, "no full Hessian is formed");
    }
    const { objective, x0 } = objectiveOf("rosenbrock");
    const r = newtonCg(objective, x0, { globalization: "trust-region" });
    r.x.forEach((v) => assert.ok(Math.abs(v - 1) < 1e-5));
  });

  it("leaves a saddle point along negative curvature, where the line-search variant needs a descent direction", () => {
    const { objective, x0 } = objectiveOf("saddle");
    const r = newtonCg(objective, x0, { globalization: "trust-region", maxIter: 5 });
    assert.ok(r.f < -0.5, `f went down along −y² (f = ${r.f})`);
    assert.ok(Math.abs(r.x[1]) > 0.5, `moved away from the ridge y = 0: ${Array.from(r.x)}`);
  });

  it("keeps every step inside the radius it started with", () => {
    const { objective, x0 } = objectiveOf("rosenbrock");
    const r = newtonCg(objective, x0, {
      globalization: "trust-region",
      radius: 0.1,
      maxRadius: 0.1,
      recordTrajectory: true,
      maxIter: 20,
    });
    let previous: ArrayLike<number> = Float64Array.from(x0);
    for (const x of r.trajectory!) {
      assert.ok(Math.hypot(...Array.from(x, (v, i) => v - previous[i])) <= 0.1 + 1e-12);
      previous = x;
    }
  });
});
