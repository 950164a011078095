import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { engine, numpy as np, problems } from "../../src/index.js";

/** f(x) = Σ exp(x_i) x_{i+1}² + x_0⁴: mixed curvature, so gradients and HVPs are not trivial. */
const f = (x: np.Array) => {
  const n = x.shape[0];
  return np
    .exp(x.ref.slice([0, n - 1]))
    .mul(np.square(x.ref.slice([1, n])))
    .sum()
    .add(np.square(np.square(x.slice([0, 1]))).sum());
};
const hostF = (x: number[]) => x.slice(0, -1).reduce((s, v, i) => s + Math.exp(v) * x[i + 1] ** 2, 0) + x[0] ** 4;
const x0 = [0.3, -0.7, 1.1, 0.4];

describe("problems.objectiveFromFunction", () => {
  before(() => engine.startEngine());

  it("values, gradients and HVPs match central differences in float64", () => {
    const objective = problems.objectiveFromFunction(f, x0);
    try {
      assert.equal(objective.dim, 4);
      assert.ok(Math.abs(objective.value(x0) - hostF(x0)) < 1e-14);
      const [, g] = objective.valueAndGrad(x0);
      const h = 1e-6;
      for (let i = 0; i < 4; i++) {
        const [up, down] = [x0.slice(), x0.slice()];
        up[i] += h;
        down[i] -= h;
        assert.ok(Math.abs(g[i] - (hostF(up) - hostF(down)) / (2 * h)) < 1e-7, `∂f/∂x${i}`);
      }
      const v = [1, -2, 0.5, 3];
      const hv = objective.hvp(x0, v);
      const gradAt = (t: number) => objective.valueAndGrad(x0.map((xi, i) => xi + t * v[i]))[1];
      const [gu, gd] = [gradAt(h), gradAt(-h)];
      hv.forEach((value, i) => assert.ok(Math.abs(value - (gu[i] - gd[i]) / (2 * h)) < 1e-6, `(Hv)_${i}`));
      assert.deepEqual(objective.counts, { fevals: 3, gevals: 3, hevals: 0, hvps: 1 });
    } finally {
      objective.dispose();
    }
  });

  it("a supplied jac replaces autodiff, and HVPs differentiate it", () => {
    // jac is deliberately 2x, not ∇f = x: the reported gradient and the HVPs must follow jac, not autodiff of f.
    const objective = problems.objectiveFromFunction((x: np.Array) => np.dot(x.ref, x).mul(0.5), [1, 2], {
      jac: (x: np.Array) => x.mul(2),
    });
    try {
      assert.deepEqual(Array.from(objective.valueAndGrad([1, 2])[1]), [2, 4]);
      assert.deepEqual(Array.from(objective.hvp([1, 2], [1, 1])), [2, 2]);
      assert.deepEqual(Array.from(objective.hessian([1, 2])), [2, 0, 0, 2]);
    } finally {
      objective.dispose();
    }
  });

  it("a supplied hessp gives the HVPs and the dense Hessian", () => {
    const objective = problems.objectiveFromFunction((x: np.Array) => np.dot(x.ref, x), [1, 2], {
      hessp: (x: np.Array, v: np.Array) => x.mul(0).add(v.mul(3)),
    });
    try {
      assert.deepEqual(Array.from(objective.hvp([1, 2], [1, -1])), [3, -3]);
      assert.deepEqual(Array.from(objective.hessian([1, 2])), [3, 0, 0, 3]);
    } finally {
      objective.dispose();
    }
  });

  it("x0 may be a typed array; float32 runs on Wasm", () => {
    const objective = problems.objectiveFromFunction(f, Float32Array.from(x0), { dtype: "float32" });
    try {
      assert.equal(objective.precision.device, "wasm");
      assert.ok(Math.abs(objective.value(x0) - hostF(x0)) < 1e-5);
    } finally {
      objective.dispose();
    }
  });

  it("bad input names the cause", () => {
    assert.throws(() => problems.objectiveFromFunction("f" as never, x0), /must be a function/);
    assert.throws(() => problems.objectiveFromFunction(f, "1,2" as never), /x0 must be a number\[\]/);
    assert.throws(() => problems.objectiveFromFunction(f, [1, Infinity]), /x0\[1\] is Infinity/);
    assert.throws(() => problems.objectiveFromFunction(f, x0, { jac: 3 as never }), /jac must be a function/);
    assert.throws(
      () =>
        problems.objectiveFromFunction(() => {
          throw new Error("boom");
        }, x0),
      /f\(x0\) threw: boom/,
    );
    assert.throws(
      () => problems.objectiveFromFunction((x: np.Array) => np.array(x.sum().item()), x0),
      /cannot be traced by jit.*no \.item\(\)/,
    );
    const fake = { shape: [], dtype: "float32" };
    assert.throws(() => problems.objectiveFromFunction((() => fake) as never, x0), /another copy of @jax-js\/jax/);
  });
});
