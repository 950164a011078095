import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { precisionOf, random, startEngine } from "../../src/engine/index.js";
import { matVec } from "../../src/linalg/matrix.js";
import { dot } from "../../src/linalg/vector.js";
import { loadProblem, Objective, quadraticProblem } from "../../src/problems/index.js";
import { bfgs, DenseInverseHessian, evaluationsToReach, LbfgsMemory, lbfgs } from "../../src/solvers/index.js";

const n = 5;
// A random SPD matrix A = QᵀQ + I and curvature pairs of the quadratic ½xᵀAx: y = A s.
const Q = random.normal(random.randomKey(1), n * n);
const A = Float64Array.from({ length: n * n }, (_, k) => {
  const [i, j] = [Math.floor(k / n), k % n];
  let s = i === j ? 1 : 0;
  for (let r = 0; r < n; r++) s += Q[r * n + i] * Q[r * n + j];
  return s;
});
const steps = Array.from({ length: 4 }, (_, i) => random.normal(random.randomKey(10 + i), n));
const pairs = steps.map((s) => ({ s, y: matVec(A, s) }));
const g = random.normal(random.randomKey(99), n);

/** −H g with H = the BFGS updates of H₀ = γI by the pairs in order, by explicit matrix products (N&W eq. 6.17). */
function denseDirection(used: { s: Float64Array; y: Float64Array }[], gamma: number): Float64Array {
  let H = Float64Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? gamma : 0));
  const mul = (X: Float64Array, Y: Float64Array) =>
    Float64Array.from({ length: n * n }, (_, k) => {
      let s = 0;
      for (let r = 0; r < n; r++) s += X[Math.floor(k / n) * n + r] * Y[r * n + (k % n)];
      return s;
    });
  for (const { s, y } of used) {
    const rho = 1 / dot(s, y);
    const V = Float64Array.from(
      { length: n * n },
      (_, k) => (k % (n + 1) === 0 ? 1 : 0) - rho * y[Math.floor(k / n)] * s[k % n],
    );
    const Vt = Float64Array.from({ length: n * n }, (_, k) => V[(k % n) * n + Math.floor(k / n)]);
    H = mul(mul(Vt, H), V).map((v, k) => v + rho * s[Math.floor(k / n)] * s[k % n]);
  }
  return Float64Array.from(matVec(H, g), (v) => -v);
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string) => {
  for (let i = 0; i < a.length; i++)
    assert.ok(Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])), `${what}: [${i}] ${a[i]} vs ${b[i]}`);
};

describe("the L-BFGS two-loop recursion against dense BFGS", () => {
  it("equals the dense BFGS matrix built from the same pairs and H₀ = γI when m >= the number of pairs", () => {
    for (let k = 1; k <= pairs.length; k++) {
      const memory = new LbfgsMemory(10);
      for (const { s, y } of pairs.slice(0, k)) assert.ok(memory.update(s, y));
      const newest = pairs[k - 1];
      const gamma = dot(newest.s, newest.y) / dot(newest.y, newest.y);
      close(memory.direction(g), denseDirection(pairs.slice(0, k), gamma), 1e-12, `${k} pairs`);
    }
  });

  it("keeps only the newest m pairs", () => {
    const memory = new LbfgsMemory(2);
    for (const { s, y } of pairs) memory.update(s, y);
    const newest = pairs.at(-1)!;
    close(
      memory.direction(g),
      denseDirection(pairs.slice(-2), dot(newest.s, newest.y) / dot(newest.y, newest.y)),
      1e-12,
      "m = 2",
    );
  });

  it("DenseInverseHessian applies the same update from H₀ = I (or γ₁I with initial scaling)", () => {
    const dense = new DenseInverseHessian(n);
    for (const { s, y } of pairs) dense.update(s, y);
    close(dense.direction(g), denseDirection(pairs, 1), 1e-12, "H₀ = I");
    const scaled = new DenseInverseHessian(n, true);
    scaled.update(pairs[0].s, pairs[0].y);
    close(
      scaled.direction(g),
      denseDirection(pairs.slice(0, 1), dot(pairs[0].s, pairs[0].y) / dot(pairs[0].y, pairs[0].y)),
      1e-12,
      "H₀ = γ₁I",
    );
  });

  it("both skip a pair that violates the curvature condition sᵀy > 0", () => {
    const s = Float64Array.from([1, 0, 0, 0, 0]);
    const y = Float64Array.from([-1, 0, 0, 0, 0]);
    assert.equal(new LbfgsMemory(3).update(s, y), false);
    assert.equal(new DenseInverseHessian(n).update(s, y), false);
  });
});

describe("quasi-Newton solvers on a quadratic (float64)", () => {
  const precision = precisionOf("float64");
  before(() => startEngine());

  it("bfgs and lbfgs (m >= iterations) take the same iterates when L-BFGS's γ = sᵀy/yᵀy equals BFGS's H₀ = I", () => {
    // On A = I every pair has γ = 1, so the two recursions build the same H (elsewhere L-BFGS rescales H₀ each step).
    const rows = Array.from({ length: 3 }, (_, i) => Array.from({ length: 3 }, (_, j) => (i === j ? 1 : 0)));
    const make = () => new Objective(quadraticProblem(rows, [1, -2, 3], precision, "identity", [0, 0, 0]), precision);
    const a = bfgs(make(), [0, 0, 0], { recordTrajectory: true });
    const b = lbfgs(make(), [0, 0, 0], { recordTrajectory: true, memory: 10 });
    assert.ok(a.converged && b.converged);
    assert.equal(a.trajectory!.length, b.trajectory!.length);
    a.trajectory!.forEach((x, i) => close(x, b.trajectory![i], 1e-14, `iterate ${i + 1}`));
  });
});

describe("evaluationsToReach", () => {
  const precision = precisionOf("float64");
  before(() => startEngine());

  it("reads the counts at the first iteration whose ‖g‖ reached the target", () => {
    const { problem } = loadProblem("rosenbrock", { precision });
    const result = bfgs(new Objective(problem, precision), problem.x0, { tol: 1e-8 });
    const history = result.history!;
    const target = 1e-3;
    const first = history.find((h) => h.gradNorm <= target)!;
    assert.ok(first.iteration < result.iterations, "reached before the end");
    assert.deepEqual(evaluationsToReach(result, target), {
      iterations: first.iteration,
      fevals: first.fevals,
      gevals: first.gevals,
      hvps: first.hvps,
    });
    assert.ok(history.slice(0, first.iteration - 1).every((h) => h.gradNorm > target));
    const final = evaluationsToReach(result, result.gradNorm)!;
    assert.equal(final.iterations, result.iterations);
    assert.equal(final.gevals, result.gevals);
    assert.equal(evaluationsToReach(result, result.gradNorm / 10), undefined, "never reached");
    const loose = evaluationsToReach(result, 1e3)!;
    assert.equal(loose.iterations, 1);
    assert.ok(loose.gevals < final.gevals);
  });

  it("counts a start that already meets the target as iteration 0", () => {
    const { problem } = loadProblem("rosenbrock", { precision });
    const atMinimum = bfgs(new Objective(problem, precision), [1, 1]);
    assert.equal(atMinimum.iterations, 0);
    assert.deepEqual(evaluationsToReach(atMinimum, 1e-5), {
      iterations: 0,
      fevals: atMinimum.fevals,
      gevals: atMinimum.gevals,
      hvps: 0,
    });
  });
});
