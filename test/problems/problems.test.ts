import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { precisionOf, startEngine } from "../../src/engine/index.js";
import { loadProblem, Objective } from "../../src/problems/index.js";
import { symmetricEigen } from "../../src/linalg/matrix.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const precision = precisionOf("float64");

/** Central finite differences of f at x. */
function numericGradient(obj: Objective, x: Float64Array, h = 1e-6): Float64Array {
  return Float64Array.from(x, (_, i) => {
    const [a, b] = [Float64Array.from(x), Float64Array.from(x)];
    a[i] += h;
    b[i] -= h;
    return (obj.value(a) - obj.value(b)) / (2 * h);
  });
}

const relErr = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += (Math.abs(a[i]) + Math.abs(b[i])) ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-300));
};

const cases = [
  fixture("trajectories-quadratic.json"),
  fixture("trajectories-mlp.json"),
  ...["rosenbrock2", "rosenbrock10", "quadratic-cond1e4", "logistic"].map((n) => `${fixture("scipy-suite.json")}#${n}`),
  "beale",
  "saddle",
  "himmelblau",
  "coupled",
  "quadratic",
];

describe("problems", () => {
  before(() => startEngine());

  for (const spec of cases) {
    it(`${spec.split("/").pop()}: gradient matches central differences, Hv matches H·v`, () => {
      const { problem } = loadProblem(spec, { precision, dim: 6, cond: 50 });
      const obj = new Objective(problem, precision);
      const x = Float64Array.from(problem.x0, (v, i) => v + 0.1 * Math.sin(i + 1));
      const [, g] = obj.valueAndGrad(x);
      assert.ok(relErr(g, numericGradient(obj, x)) < 1e-7, `gradient rel. error ${relErr(g, numericGradient(obj, x))}`);
      const H = obj.hessian(x);
      const n = problem.dim;
      const v = Float64Array.from({ length: n }, (_, i) => Math.cos(3 * i));
      const Hv = Float64Array.from({ length: n }, (_, i) => v.reduce((s, vj, j) => s + H[i * n + j] * vj, 0));
      assert.ok(relErr(obj.hvp(x, v), Hv) < 1e-10, `hvp rel. error ${relErr(obj.hvp(x, v), Hv)}`);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < i; j++)
          assert.ok(Math.abs(H[i * n + j] - H[j * n + i]) <= 1e-10 * (1 + Math.abs(H[i * n + j])));
      obj.dispose();
      problem.dispose();
    });
  }

  it("reads the reference runs and SciPy's results with the problem", () => {
    const q = loadProblem(fixture("trajectories-quadratic.json"), { precision });
    assert.equal(q.problem.dim, 10);
    assert.ok(q.runs.some((r) => r.algorithm === "book.adam"));
    const l = loadProblem(`${fixture("scipy-suite.json")}#logistic`, { precision });
    assert.equal(l.problem.dim, 20);
    assert.equal(l.scipy!.BFGS.njev, 41);
  });

  it(
    "names the problem's minimum: rosenbrock is 0 at ones, a random quadratic has the requested condition " + "number",
    () => {
      const r = loadProblem("rosenbrock", { precision, dim: 5 });
      const obj = new Objective(r.problem, precision);
      assert.equal(obj.value(new Float64Array(5).fill(1)), 0);
      const q = loadProblem("quadratic", { precision, dim: 4, cond: 1000 });
      const H = new Objective(q.problem, precision).hessian(new Float64Array(4));
      const eig = Array.from(symmetricEigen(H, 4).values);
      assert.ok(Math.abs(Math.max(...eig) / Math.min(...eig) - 1000) < 1e-6);
    },
  );

  it("rejects unknown names and malformed files with a clear message", () => {
    assert.throws(() => loadProblem("nope", { precision }), /neither a built-in problem/);
    assert.throws(() => loadProblem(fixture("scipy-suite.json"), { precision }), /pick one with FILE#NAME/);
    assert.throws(() => loadProblem(`${fixture("scipy-suite.json")}#nope`, { precision }), /has no problem "nope"/);
  });
});
