import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { engine, minimize, numpy as np, problems, solvers, type MinimizeResult } from "../../src/index.js";
import { solverMethods } from "../../src/methods/index.js";

const n = 10;
/** Rosenbrock's function written as a user would: Σ 100(x_{i+1} − x_i²)² + (1 − x_i)². */
const rosenbrock = (x: np.Array) => {
  const head = x.ref.slice([0, n - 1]);
  const tail = x.slice([1, n]);
  return np
    .square(tail.sub(np.square(head.ref)))
    .mul(100)
    .add(np.square(head.neg().add(1)))
    .sum();
};
const x0 = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, a) => s + a * a, 0));
/** Rosenbrock's gradient by hand, float64 on the host. */
const rosenbrockGrad = (x: ArrayLike<number>) => {
  const g = new Float64Array(n);
  for (let i = 0; i < n - 1; i++) {
    const r = x[i + 1] - x[i] * x[i];
    g[i] += -400 * x[i] * r - 2 * (1 - x[i]);
    g[i + 1] += 200 * r;
  }
  return g;
};
// For n >= 4 Rosenbrock has a second minimizer near (−1, 1, …, 1) with f ≈ 3.9866 (Kok & Sandrock 2009).
const LOCAL_MIN = 3.98662;
/** f(x0): five terms 100(1 − 1.44)² + 2.2² and four terms 100(−1.2 − 1)². */
const F0 = 5 * 24.2 + 4 * 484;

describe("minimize on a hand-written 10-D Rosenbrock from (−1.2, 1, …)", () => {
  before(() => engine.startEngine());

  const converges = (method: string) => () => {
    const r = minimize(rosenbrock, x0, { method });
    assert.equal(r.status, "converged", `${method}: ${r.message}`);
    assert.equal(r.success, true);
    assert.ok(norm(r.grad) <= 1e-5, `${method}: ‖∇f‖ = ${norm(r.grad)}`);
    // The reported gradient is ∇f at x (checked against the hand-written gradient).
    assert.ok(norm(rosenbrockGrad(r.x).map((g, i) => g - r.grad[i])) <= 1e-9 * Math.max(1, norm(r.grad)) + 1e-9);
    const atGlobal = Math.abs(r.fun) < 1e-9 && r.x.every((v) => Math.abs(v - 1) < 1e-4);
    const atLocal = Math.abs(r.fun - LOCAL_MIN) < 1e-4 && Math.abs(r.x[0] + 1) < 0.05;
    assert.ok(atGlobal || atLocal, `${method}: f = ${r.fun} at ${Array.from(r.x)}`);
    assert.ok(r.nit > 0 && r.nfev > 0 && r.njev > 0);
    assert.equal(r.history.length, r.nit);
    assert.equal(r.history.at(-1)!.f, r.fun);
  };

  // Every registered solver, with its default settings: a new solver is covered by this loop.
  for (const method of Object.keys(solverMethods)) it(`${method} converges`, converges(method));

  it("Newton-type methods count Hessians or Hessian-vector products", () => {
    assert.ok(minimize(rosenbrock, x0, { method: "newton" }).nhev > 0);
    assert.ok(minimize(rosenbrock, x0, { method: "newton-cg" }).nhev > 0);
    assert.equal(minimize(rosenbrock, x0, { method: "lbfgs" }).nhev, 0);
  });

  it("with no options at all it runs L-BFGS", () => {
    const r = minimize(rosenbrock, Float64Array.from(x0));
    assert.equal(r.method, "lbfgs");
    assert.equal(r.status, "converged");
  });

  it("first-order methods run exactly maxIter steps with their hyperparameters", () => {
    for (const method of ["torch.Adam", "book.adam", "book.momentum", "torch.SGD"]) {
      const r = minimize(rosenbrock, x0, { method, options: { lr: 1e-4 }, maxIter: 40 });
      assert.equal(r.nit, 40, method);
      assert.equal(r.njev, 41, `${method}: one gradient per step and one at the end`);
      assert.equal(r.status, "maxIter", `${method}: ${r.message}`);
      assert.ok(Math.abs(r.history[0].f - F0) < 1e-9 * F0, "the first gradient is taken at x0");
      assert.ok(r.fun < F0, `${method} descends`);
    }
  });

  it("the learning rate reaches the optimizer: one SGD step is x0 − lr ∇f(x0)", () => {
    const r = minimize(rosenbrock, x0, { method: "torch.SGD", options: { lr: 1e-4 }, maxIter: 1 });
    const g = rosenbrockGrad(x0);
    r.x.forEach((v, i) => assert.ok(Math.abs(v - (x0[i] - 1e-4 * g[i])) < 1e-12));
  });

  it("a diverging first-order run stops with status nonFinite", () => {
    const r = minimize(rosenbrock, x0, { method: "book.sgd", options: { lr: 1 }, maxIter: 50 });
    assert.equal(r.status, "nonFinite");
    assert.ok(r.nit < 50);
  });

  it("the callback sees every iteration with its point", () => {
    const seen: number[] = [];
    let last: Float64Array | undefined;
    const r = minimize(rosenbrock, x0, {
      method: "bfgs",
      callback: (rec, x) => (seen.push(rec.iteration), (last = x)),
    });
    assert.deepEqual(
      seen,
      Array.from({ length: r.nit }, (_, i) => i + 1),
    );
    assert.deepEqual(Array.from(last!), Array.from(r.x));
  });

  it("supplied jac and hessp are used instead of autodiff", () => {
    let jacCalls = 0;
    const jac = (x: np.Array) => {
      jacCalls++;
      const head = x.ref.slice([0, n - 1]);
      const tail = x.slice([1, n]);
      const r = tail.sub(np.square(head.ref));
      const left = head.ref.mul(r.ref).mul(-400).sub(head.neg().add(1).mul(2));
      const right = r.mul(200);
      return np.pad(left, [[0, 1]]).add(np.pad(right, [[1, 0]]));
    };
    const r = minimize(rosenbrock, x0, { method: "newton-cg", jac });
    assert.equal(r.status, "converged");
    assert.ok(jacCalls > 0, "jac was traced");
    let hesspCalls = 0;
    const hessp = (x: np.Array, v: np.Array) => (hesspCalls++, x.mul(0).add(v.mul(2)));
    const q = minimize((x: np.Array) => np.dot(x.ref, x), [3, -4], { method: "newton-cg", hessp });
    assert.ok(hesspCalls > 0);
    assert.ok(norm(q.x) < 1e-8);
  });

  it("float32 runs too", () => {
    const r = minimize((x: np.Array) => np.square(x.sub(2)).sum(), [0, 0, 0], {
      method: "lbfgs",
      dtype: "float32",
      tol: 1e-4,
    });
    assert.equal(r.status, "converged");
    r.x.forEach((v) => assert.ok(Math.abs(v - 2) < 1e-4));
  });

  it("solvers.* take objectiveFromFunction with no options", () => {
    const objective = problems.objectiveFromFunction(rosenbrock, x0);
    try {
      const r = solvers.lbfgs(objective, x0);
      assert.equal(r.converged, true);
    } finally {
      objective.dispose();
    }
  });

  it("solvers.* take a plain f too, and give the same run as through an Objective", () => {
    const objective = problems.objectiveFromFunction(rosenbrock, x0);
    const viaObjective = solvers.bfgs(objective, x0);
    objective.dispose();
    const plain: solvers.SolverInput = rosenbrock;
    for (const solve of [solvers.lbfgs, solvers.newtonCg, solvers.conjugateGradient, solvers.newton]) {
      const r: solvers.OptimizeResult = solve(plain, x0);
      assert.equal(r.status, "converged", `${solve.name}: ${r.message}`);
      assert.ok(r.gradNorm <= 1e-5 && r.fevals > 0);
    }
    const direct = solvers.bfgs(rosenbrock, x0);
    assert.deepEqual(Array.from(direct.x), Array.from(viaObjective.x));
    assert.deepEqual(
      [direct.iterations, direct.fevals, direct.gevals],
      [viaObjective.iterations, viaObjective.fevals, viaObjective.gevals],
    );
    assert.equal(solvers.bookNewton((x: np.Array) => np.square(x.sub(2)).sum(), [0, 1], 0).iterations, 1);
    assert.throws(
      () => solvers.lbfgs(42 as never, x0),
      /solvers take a function f\(x\) → scalar jax-js Array or an Objective.*got number/,
    );
    assert.throws(() => solvers.lbfgs((x: np.Array) => x, x0), /must return a scalar/);
  });

  describe("bad input names the cause", () => {
    const bad = (run: () => MinimizeResult, pattern: RegExp) => assert.throws(run, pattern);
    it("unknown method", () =>
      bad(() => minimize(rosenbrock, x0, { method: "lbgfs" }), /unknown method "lbgfs".*lbfgs/));
    it("misspelt option", () =>
      bad(() => minimize(rosenbrock, x0, { maxiter: 3 } as never), /unknown option "maxiter"/));
    it("method settings", () =>
      bad(
        () => minimize(rosenbrock, x0, { method: "lbfgs", options: { memroy: 3 } }),
        /lbfgs: unknown config key "memroy"/,
      ));
    it("non-scalar f", () =>
      bad(() => minimize((x: np.Array) => x.mul(2), [1, 2]), /must return a scalar, got an array of shape \[2\]/));
    it("f returning a number", () => bad(() => minimize((() => 3) as never, [1, 2]), /must return a jax-js Array/));
    it("non-finite x0", () => bad(() => minimize(rosenbrock, [1, NaN]), /x0\[1\] is NaN/));
    it("empty x0", () => bad(() => minimize(rosenbrock, []), /x0 is empty/));
    it("bad maxIter", () =>
      bad(() => minimize(rosenbrock, x0, { maxIter: 2.5 }), /maxIter must be a non-negative integer, got 2.5/));
    it("bad dtype", () => bad(() => minimize(rosenbrock, x0, { dtype: "float16" as never }), /dtype must be one of/));
  });
});
