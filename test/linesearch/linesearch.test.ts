import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { precisionOf, startEngine } from "../../src/engine/index.js";
import {
  backtracking,
  exactQuadraticStep,
  functionLine,
  ObjectiveLine,
  strongWolfe,
  type LineFunction,
} from "../../src/linesearch/index.js";
import { dot } from "../../src/linalg/vector.js";
import { loadProblem, Objective, quadraticProblem } from "../../src/problems/index.js";

/** Moré & Thuente's (1994) test functions of one variable, with their derivatives. */
const moreThuente: { name: string; phi: (a: number) => number; dphi: (a: number) => number }[] = [
  { name: "−α/(α² + 2)", phi: (a) => -a / (a * a + 2), dphi: (a) => (a * a - 2) / (a * a + 2) ** 2 },
  {
    name: "(α + 0.004)⁵ − 2(α + 0.004)⁴",
    phi: (a) => (a + 0.004) ** 5 - 2 * (a + 0.004) ** 4,
    dphi: (a) => 5 * (a + 0.004) ** 4 - 8 * (a + 0.004) ** 3,
  },
  {
    name: "wiggly (l = 39, β = 0.01)",
    phi: (a) => {
      const [b, l] = [0.01, 39];
      const base = a <= 1 - b ? 1 - a : a >= 1 + b ? a - 1 : (a - 1) ** 2 / (2 * b) + b / 2;
      return base + ((2 * (1 - b)) / (l * Math.PI)) * Math.sin((l * Math.PI * a) / 2);
    },
    dphi: (a) => {
      const [b, l] = [0.01, 39];
      const base = a <= 1 - b ? -1 : a >= 1 + b ? 1 : (a - 1) / b;
      return base + (1 - b) * Math.cos((l * Math.PI * a) / 2);
    },
  },
];

/** The strong Wolfe conditions, checked independently of the search. */
function assertStrongWolfe(
  phi: (a: number) => number,
  dphi: (a: number) => number,
  alpha: number,
  c1: number,
  c2: number,
) {
  assert.ok(alpha > 0, `step ${alpha} is not positive`);
  assert.ok(phi(alpha) <= phi(0) + c1 * alpha * dphi(0), `sufficient decrease fails at α = ${alpha}`);
  assert.ok(
    Math.abs(dphi(alpha)) <= c2 * Math.abs(dphi(0)),
    `curvature fails at α = ${alpha}: |φ'(α)| = ${Math.abs(dphi(alpha))}`,
  );
}

describe("strong Wolfe line search (N&W Alg. 3.5-3.6)", () => {
  for (const { name, phi, dphi } of moreThuente) {
    for (const c2 of [0.1, 0.9]) {
      it(`${name}, c2 = ${c2}: every starting step ends at a step satisfying both conditions`, () => {
        for (const alpha0 of [1e-3, 1e-1, 1, 10, 1000]) {
          const line = functionLine(phi, dphi);
          const result = strongWolfe(line, phi(0), dphi(0), { c1: 1e-3, c2, alpha0 });
          assert.ok(result.ok, `α0 = ${alpha0}: ${result.message}`);
          assertStrongWolfe(phi, dphi, result.alpha, 1e-3, c2);
          assert.equal(result.f, phi(result.alpha));
          assert.deepEqual([result.fevals, result.gevals], [line.counts.fevals, line.counts.gevals]);
          assert.ok(result.fevals <= 30, `α0 = ${alpha0}: ${result.fevals} evaluations`);
        }
      });
    }
  }

  it("on a quadratic, an overshooting first step is followed by the exact minimizer with one gradient", () => {
    // φ(α) = (α − 0.3)²: the quadratic interpolation from φ(0), φ'(0), φ(1) lands on 0.3.
    const line = functionLine(
      (a) => (a - 0.3) ** 2,
      (a) => 2 * (a - 0.3),
    );
    const result = strongWolfe(line, 0.09, -0.6, { c2: 0.1 });
    assert.ok(result.ok);
    assert.ok(Math.abs(result.alpha - 0.3) < 1e-12, `α = ${result.alpha}`);
    assert.deepEqual([result.fevals, result.gevals], [2, 1]);
  });

  it("accepts the unit step of a well-scaled Newton direction with one evaluation of each", () => {
    const line = functionLine(
      (a) => (a - 1) ** 2,
      (a) => 2 * (a - 1),
    );
    const result = strongWolfe(line, 1, -2);
    assert.deepEqual([result.alpha, result.fevals, result.gevals], [1, 1, 1]);
  });

  it("judges a step by its slope when f is flat to rounding (approximate Wolfe conditions)", () => {
    // The decrease 1e-15·α(2 − α) hides under 1e-13 of "rounding" that makes every f(α) > f(0).
    const phi = (a: number) => 1 + 1e-13 * Math.abs(Math.sin(1e3 * a)) + 1e-15 * ((a - 1) ** 2 - 1);
    const dphi = (a: number) => 2e-15 * (a - 1);
    assert.ok(phi(0.9) > phi(0));
    const result = strongWolfe(functionLine(phi, dphi), phi(0), dphi(0), { alpha0: 0.9 });
    assert.ok(result.ok, result.message);
    assert.match(result.message, /approximate Wolfe/);
    assert.ok(Math.abs(dphi(result.alpha)) <= 0.9 * Math.abs(dphi(0)));
  });

  it("refuses a direction that is not a descent direction, without evaluating anything", () => {
    const line = functionLine(
      (a) => a * a,
      (a) => 2 * a + 1,
    );
    const result = strongWolfe(line, 0, 1);
    assert.equal(result.ok, false);
    assert.equal(result.alpha, 0);
    assert.match(result.message, /not a descent direction: φ'\(0\) = gᵀp = 1 >= 0/);
    assert.deepEqual([result.fevals, result.gevals], [0, 0]);
  });

  it("reports a function unbounded below along p", () => {
    const result = strongWolfe(
      functionLine(
        (a) => -a,
        () => -1,
      ),
      0,
      -1,
      { alphaMax: 1e6 },
    );
    assert.equal(result.ok, false);
    assert.match(result.message, /largest step αmax = 1000000 .*bounded below/);
  });

  it("reports when no step can satisfy the conditions (slope inconsistent with f)", () => {
    // f increases although the claimed slope says it decreases: the bracket shrinks to nothing.
    const result = strongWolfe(
      functionLine(
        (a) => a,
        () => -1,
      ),
      0,
      -1,
    );
    assert.equal(result.ok, false);
    assert.equal(result.alpha, 0);
    assert.match(result.message, /no step satisfying the strong Wolfe conditions/);
  });

  it("rejects constants outside 0 < c1 < c2 < 1", () => {
    assert.throws(
      () =>
        strongWolfe(
          functionLine(
            (a) => a,
            () => 1,
          ),
          0,
          -1,
          { c1: 0.5, c2: 0.4 },
        ),
      /0 < c1 < c2 < 1/,
    );
  });
});

describe("backtracking (Armijo, N&W Alg. 3.1)", () => {
  it("returns a step with sufficient decrease, evaluating f only", () => {
    for (const { phi, dphi } of moreThuente) {
      for (const alpha0 of [1, 10, 1000]) {
        const line = functionLine(phi, dphi);
        const result = backtracking(line, phi(0), dphi(0), { alpha0 });
        assert.ok(result.ok, result.message);
        assert.ok(result.alpha > 0 && result.alpha <= alpha0);
        assert.ok(phi(result.alpha) <= phi(0) + 1e-4 * result.alpha * dphi(0));
        assert.equal(result.gevals, 0);
        assert.equal(result.fevals, line.counts.fevals);
      }
    }
  });

  it("keeps the first step when it already satisfies Armijo", () => {
    const result = backtracking(
      functionLine(
        (a) => (a - 1) ** 2,
        (a) => 2 * (a - 1),
      ),
      1,
      -2,
    );
    assert.deepEqual([result.alpha, result.fevals], [1, 1]);
  });

  it("fails clearly on a non-descent direction and when no step decreases f", () => {
    const up = backtracking(
      functionLine(
        (a) => a,
        () => 1,
      ),
      0,
      1,
    );
    assert.match(up.message, /not a descent direction/);
    const none = backtracking(
      functionLine(
        (a) => a,
        () => -1,
      ),
      0,
      -1,
      { maxIter: 20 },
    );
    assert.equal(none.ok, false);
    assert.equal(none.alpha, 0);
    assert.match(none.message, /no step satisfying the Armijo condition/);
  });
});

describe("line searches on an Objective", () => {
  const precision = precisionOf("float64");
  before(() => startEngine());

  it("the exact step −gᵀp/(pᵀHp) minimizes a quadratic along p with one Hessian-vector product", () => {
    const problem = quadraticProblem(
      [
        [4, 1],
        [1, 3],
      ],
      [1, 2],
      precision,
    );
    const objective = new Objective(problem, precision);
    const x = Float64Array.from([2, -1]);
    const [, g] = objective.valueAndGrad(x);
    const p = Float64Array.from([-1, 0.5]);
    const step = exactQuadraticStep(objective, x, g, p);
    assert.ok(step.ok);
    assert.equal(objective.counts.hvps, 1);
    const [, gNew] = objective.valueAndGrad(Float64Array.from(x, (v, i) => v + step.alpha * p[i]));
    assert.ok(Math.abs(dot(gNew, p)) < 1e-14, `slope at α* = ${dot(gNew, p)}`);
    // g = Ax − b = (6, −3), gᵀp = −7.5, pᵀAp = 3.75.
    assert.equal(step.alpha, 2);
  });

  it("the exact step refuses negative curvature along p and non-descent directions", () => {
    const { problem } = loadProblem("saddle", { precision });
    const objective = new Objective(problem, precision);
    const x = Float64Array.from([0, 1]);
    const [, g] = objective.valueAndGrad(x);
    const along = exactQuadraticStep(objective, x, g, Float64Array.from([0, 1]));
    assert.equal(along.ok, false);
    assert.match(along.message, /positive curvature along p, got pᵀHp = -2/);
    const uphill = exactQuadraticStep(
      objective,
      Float64Array.from([1, 0]),
      Float64Array.from([2, 0]),
      Float64Array.from([1, 0]),
    );
    assert.match(uphill.message, /not a descent direction/);
  });

  it("counts exactly what it evaluates, and hands back the gradient at the accepted step for free", () => {
    const { problem } = loadProblem("rosenbrock", { precision, dim: 2 });
    const objective = new Objective(problem, precision);
    const x = Float64Array.from([-1.2, 1]);
    const [f, g] = objective.valueAndGrad(x);
    const p = Float64Array.from(g, (v) => -v / Math.hypot(g[0], g[1]));
    const line: LineFunction & ObjectiveLine = new ObjectiveLine(objective, x, p);
    const result = strongWolfe(line, f, dot(g, p), { c2: 0.1 });
    assert.ok(result.ok, result.message);
    assert.deepEqual([objective.counts.fevals - 1, objective.counts.gevals - 1], [result.fevals, result.gevals]);
    const before = { ...objective.counts };
    const [fAt] = line.valueAndGrad(result.alpha);
    assert.equal(fAt, result.f);
    assert.deepEqual(objective.counts, before);
  });
});
