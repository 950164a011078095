import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { precisionOf, startEngine } from "../../src/engine/index.js";
import { scipyCases } from "../../src/benchmark/cases.js";
import { SCIPY_SUITE, scipySuiteProblem } from "../../src/problems/scipySuite.js";
import { Objective } from "../../src/problems/objective.js";

const exact = precisionOf("float64");

/** Central differences of f in float64, step h. */
function finiteDifferences(objective: Objective, x: number[], h = 1e-6): number[] {
  return x.map((_, i) => {
    const plus = x.map((v, j) => (j === i ? v + h : v));
    const minus = x.map((v, j) => (j === i ? v - h : v));
    return (objective.value(plus) - objective.value(minus)) / (2 * h);
  });
}

describe("SciPy's smooth benchmark set (benchmarks/benchmarks/optimize.py)", () => {
  before(() => startEngine());

  it("every problem's autodiff gradient (under jit) matches central differences at its first random start", () => {
    for (const c of scipyCases(0, 1)) {
      const objective = new Objective(scipySuiteProblem(c.problem).build(exact), exact);
      const [, g] = objective.valueAndGrad(c.x0);
      const fd = finiteDifferences(objective, c.x0);
      objective.dispose();
      const scale = Math.max(1, ...fd.map(Math.abs));
      g.forEach((v, i) => assert.ok(Math.abs(v - fd[i]) <= 1e-6 * scale, `${c.id} ∂f/∂x${i}: ${v} vs ${fd[i]}`));
    }
  });

  it("asymmetric-quadratic's gradient is 2x + e1 (a term linear in x1: jax-js's jit slice-transpose bug)", () => {
    const objective = new Objective(scipySuiteProblem("asymmetric-quadratic").build(exact), exact);
    assert.deepEqual(Array.from(objective.valueAndGrad([1, 2, 3])[1]), [3, 4, 6]);
    objective.dispose();
  });

  it("known values: the regular tetrahedron of side 2^(1/6) gives lj4 = −6; booth(1, 3) = 0; sin-1d(−π/2) = −1", () => {
    // cube corners (±1, ±1, ±1)·s, an even number of minus signs: edges 2√2·s = 2^(1/6)
    const s = 2 ** (1 / 6) / (2 * Math.SQRT2);
    const tetra = [1, 1, 1, 1, -1, -1, -1, 1, -1, -1, -1, 1].map((v) => v * s);
    const value = (name: string, x: number[]) => {
      const objective = new Objective(scipySuiteProblem(name).build(exact), exact);
      const f = objective.value(x);
      objective.dispose();
      return f;
    };
    assert.ok(Math.abs(value("lj4", tetra) + 6) < 1e-12);
    assert.equal(value("booth", [1, 3]), 0);
    assert.equal(value("sin-1d", [-Math.PI / 2]), -1);
  });

  it("the random starts follow SciPy's boxes, 10 per problem, reproducibly by seed", () => {
    const cases = scipyCases(0);
    assert.equal(cases.length, 10 * SCIPY_SUITE.length);
    for (const problem of SCIPY_SUITE) {
      const mine = cases.filter((c) => c.problem === problem.name);
      assert.equal(mine.length, 10);
      assert.ok(
        mine.every((c) => c.x0.length === problem.dim && c.x0.every((v) => v >= problem.low && v <= problem.high)),
        problem.name,
      );
    }
    assert.deepEqual(scipyCases(0)[3].x0, cases[3].x0);
    assert.notDeepEqual(scipyCases(1)[3].x0, cases[3].x0);
  });
});
