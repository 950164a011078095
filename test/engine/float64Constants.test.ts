import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { grad, jit, numpy as np, vmap } from "@jax-js/jax";
import { precisionOf, startEngine } from "../../src/engine/index.js";
import { float64LiteralsStatus } from "../../src/engine/float64Literals.js";
import { curvatureAt } from "../../src/curvature/index.js";
import { bookNewton } from "../../src/solvers/bookNewton.js";
import { Objective, problemFromSpec } from "../../src/problems/index.js";

interface Case {
  problem: Record<string, unknown> & { name: string; X: number[][] };
  theta0: number[];
  f: number;
  grad: number[];
  gTg: number;
  gTHg: number;
  eigenvalues: number[];
  damping: number;
  newtonStep: number[];
}
const fixture = fileURLToPath(new URL("../fixtures/float64-exact.json", import.meta.url));
const { cases } = JSON.parse(readFileSync(fixture, "utf8")) as { cases: Case[] };
const precision = precisionOf("float64");

const relError = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
const maxRelError = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
  return worst;
};
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + v * b[i], 0);

describe("float64 programs keep JS number constants exact under jit", () => {
  before(() => startEngine());

  for (const device of ["cpu", "wasm"] as const) {
    it(`${device}: mean over 20, x·0.1 and x/3 are exact; float32 programs still round to float32`, () => {
      const values = Float64Array.from({ length: 20 }, (_, i) => i + 1);
      const x = np.array(values, { dtype: np.float64, device });
      const f = jit((a: np.Array) => np.stack([a.ref.mean(), a.ref.mul(0.1).sum(), a.div(3).sum()]));
      try {
        const [mean, tenth, third] = f(x).js() as number[];
        assert.equal(mean, 10.5);
        assert.equal(
          tenth,
          values.reduce((s, v) => s + v * 0.1, 0),
        );
        assert.ok(relError(third, 70) <= 1e-15, `Σx/3 = ${third}`);
        const [mean32, tenth32] = f(np.array(Float32Array.from(values), { device })).js() as number[];
        assert.equal(mean32, 10.5);
        assert.ok(relError(tenth32, 21) < 1e-6);
      } finally {
        f.dispose();
      }
    });
  }

  for (const c of cases) {
    const m = c.problem.X.length;
    it(`${c.problem.name} (m = ${m}): f, ∇f, gᵀg and gᵀHg match torch float64 to 1e-12`, () => {
      const problem = problemFromSpec(c.problem, precision, c.theta0);
      const objective = new Objective(problem, precision);
      try {
        const [f, g] = objective.valueAndGrad(c.theta0);
        assert.ok(relError(f, c.f) <= 1e-12, `f: ${relError(f, c.f).toExponential(2)}`);
        assert.ok(maxRelError(g, c.grad) <= 1e-12, `∇f: ${maxRelError(g, c.grad).toExponential(2)}`);
        assert.ok(relError(dot(g, g), c.gTg) <= 1e-12, `gᵀg: ${relError(dot(g, g), c.gTg).toExponential(2)}`);
        const gHg = dot(g, objective.hvp(c.theta0, g));
        assert.ok(relError(gHg, c.gTHg) <= 1e-12, `gᵀHg: ${relError(gHg, c.gTHg).toExponential(2)}`);
      } finally {
        objective.dispose();
        problem.dispose();
      }
    });
  }

  it(
    `${cases[0].problem.name}: damped Newton's first step (Alg. 8.8, α = ${cases[0].damping}) matches torch to ` +
      `1e-12`,
    () => {
      const c = cases[0];
      const problem = problemFromSpec(c.problem, precision, c.theta0);
      const objective = new Objective(problem, precision);
      try {
        const result = bookNewton(objective, c.theta0, c.damping, { maxIter: 1 });
        assert.equal(result.iterations, 1);
        const err = maxRelError(result.x, c.newtonStep);
        assert.ok(err <= 1e-12, `θ1: ${err.toExponential(2)}`);
      } finally {
        objective.dispose();
        problem.dispose();
      }
    },
  );

  for (const c of cases.slice(0, 2)) {
    it(`${c.problem.name}: curvatureAt's gᵀg, gᵀHg and extreme eigenvalues match torch to 1e-12`, () => {
      const problem = problemFromSpec(c.problem, precision, c.theta0);
      const objective = new Objective(problem, precision);
      try {
        const result = curvatureAt(objective, c.theta0, { top: 1, bottom: 1, tol: 1e-14 });
        const [lo, hi] = [c.eigenvalues[0], c.eigenvalues[c.eigenvalues.length - 1]];
        const scale = Math.max(Math.abs(lo), Math.abs(hi));
        assert.ok(relError(result.gTg, c.gTg) <= 1e-12, `gᵀg: ${relError(result.gTg, c.gTg).toExponential(2)}`);
        assert.ok(relError(result.gHg, c.gTHg) <= 1e-12, `gᵀHg: ${relError(result.gHg, c.gTHg).toExponential(2)}`);
        assert.ok(Math.abs(result.top[0] - hi) / scale <= 1e-12, `λmax ${result.top[0]} vs ${hi}`);
        assert.ok(Math.abs(result.bottom[0] - lo) / scale <= 1e-12, `λmin ${result.bottom[0]} vs ${lo}`);
      } finally {
        objective.dispose();
        problem.dispose();
      }
    });
  }
});

describe("float64 programs keep number literals of free functions exact under jit, grad and vmap", () => {
  before(() => startEngine());

  it("the literal hook is installed on jax-js's jit trace", () => {
    const status = float64LiteralsStatus();
    assert.equal(status.active, true, status.reason);
  });
  const values = Float64Array.from({ length: 6 }, (_, i) => i + 1);
  // 0.1, 0.7 and 4.3 are not float32 numbers: rounded, they would be off by ~1e-8 relative.
  const f = (x: np.Array) =>
    np.where(
      np.less(x.ref, 3),
      np.divide(np.multiply(x.ref, 0.1), 0.3),
      np.multiply(np.clip(x.ref, 0, 4.3), np.subtract(0.7, x)),
    );
  const reference = Array.from(values, (v) => (v < 3 ? (v * 0.1) / 0.3 : Math.min(v, 4.3) * (0.7 - v)));

  for (const device of ["cpu", "wasm"] as const) {
    it(`${device}: multiply, divide, subtract, where and clip with number operands are exact`, () => {
      const jf = jit(f);
      try {
        assert.deepEqual(jf(np.array(values, { dtype: np.float64, device })).js(), reference);
      } finally {
        jf.dispose();
      }
    });
  }

  it("inside grad and vmap under jit (literals lifted through jvp and batching)", () => {
    const x = () => np.array(values, { dtype: np.float64 });
    const gradient = jit(grad((v: np.Array) => np.multiply(np.square(v), 0.1).sum()));
    const batched = jit(vmap((v: np.Array) => np.multiply(v, 0.3)));
    try {
      assert.deepEqual(
        gradient(x()).js(),
        Array.from(values, (v) => 2 * v * 0.1),
      );
      assert.deepEqual(
        batched(x()).js(),
        Array.from(values, (v) => v * 0.3),
      );
    } finally {
      gradient.dispose();
      batched.dispose();
    }
  });

  it("gradients through jax-js functions that take a number (power) are unchanged", () => {
    const y = np.array(new Float64Array([0.7, 1.3, 2]), { dtype: np.float64 });
    const dy = grad((v: np.Array) => np.power(v, 3).sum())(y).js() as number[];
    [0.7, 1.3, 2].forEach((v, i) => assert.ok(Math.abs(dy[i] - 3 * v * v) <= 1e-14 * 3 * v * v, `${dy[i]}`));
  });

  it("float32 programs keep their dtype and float32 values", () => {
    const jf = jit(f);
    try {
      const x32 = np.array(Float32Array.from(values));
      const [eager, traced] = [f(x32.ref).js() as number[], jf(x32)];
      assert.equal(traced.dtype, np.float32);
      (traced.js() as number[]).forEach((v, i) => {
        assert.equal(Math.fround(v), v);
        assert.ok(Math.abs(v - eager[i]) <= 2e-7 * Math.abs(eager[i]), `${v} vs ${eager[i]}`);
      });
      assert.equal(jit((v: np.Array) => np.add(v, 2))(np.array([1, 2], { dtype: np.int32 })).dtype, np.int32);
    } finally {
      jf.dispose();
    }
  });
});
