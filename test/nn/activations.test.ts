/** Activations: exact values and finite gradients at extreme inputs; relu'(0) = 0 as in PyTorch. */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { grad, numpy as np } from "@jax-js/jax";
import { precisionOf, startEngine, toDevice } from "../../src/engine/index.js";
import { reluFn, sigmoidFn, softplusFn } from "../../src/nn/index.js";

before(async () => {
  await startEngine();
});

const X = [-1000, -100, -30, -1, -1e-3, 0, 1e-3, 1, 30, 100, 1000];
const sigmoidRef = (x: number) => (x > 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const softplusRef = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

function valueAndGradient(f: (x: np.Array) => np.Array, xs: number[], name: "float64" | "float32") {
  const p = precisionOf(name);
  const value = Array.from(f(toDevice(xs, [xs.length], p)).dataSync() as ArrayLike<number>);
  const g = grad((x: np.Array) => f(x).sum())(toDevice(xs, [xs.length], p)) as np.Array;
  return { value, gradient: Array.from(g.dataSync() as ArrayLike<number>) };
}

function assertRelative(actual: number[], expected: number[], tol: number, what: string) {
  actual.forEach((a, i) => {
    const e = expected[i];
    const err = e === 0 ? Math.abs(a) : Math.abs(a - e) / Math.abs(e);
    assert.ok(err <= tol, `${what}[${i}] (x = ${X[i]}): ${a}, expected ${e}`);
  });
}

describe("activations", () => {
  // float64 on cpu is exact. float32 runs on Wasm, whose log1p is off by up to 1.8e-5 (relative)
  // near an argument of 1 (jax-js 0.1.25), which bounds softplus near 0; tiny values flush to 0.
  for (const [name, tol] of [
    ["float64", 1e-14],
    ["float32", 5e-5],
  ] as const) {
    const tiny = name === "float32" ? 1e-30 : 0;
    const flushed = (v: number) => (Math.abs(v) < tiny ? 0 : v);
    test(`sigmoid is accurate and has finite gradients everywhere (${name})`, () => {
      const { value, gradient } = valueAndGradient(sigmoidFn, X, name);
      assertRelative(
        value.map(flushed),
        X.map((x) => flushed(sigmoidRef(x))),
        tol,
        "sigmoid",
      );
      assert.ok(gradient.every(Number.isFinite), `gradient ${gradient}`);
      assertRelative(
        gradient.map(flushed),
        X.map((x) => flushed(sigmoidRef(x) * sigmoidRef(-x))),
        10 * tol,
        "sigmoid'",
      );
    });
    test(`softplus is accurate (also far below 0) and has finite gradients everywhere (${name})`, () => {
      const { value, gradient } = valueAndGradient(softplusFn, X, name);
      assertRelative(
        value.map(flushed),
        X.map((x) => flushed(softplusRef(x))),
        tol,
        "softplus",
      );
      assert.ok(gradient.every(Number.isFinite), `gradient ${gradient}`);
      assertRelative(
        gradient.map(flushed),
        X.map((x) => flushed(sigmoidRef(x))),
        10 * tol,
        "softplus'",
      );
    });
    test(`relu has derivative 0 at 0, as PyTorch (${name})`, () => {
      const { value, gradient } = valueAndGradient(reluFn, [-1, 0, 2], name);
      assert.deepEqual(value, [0, 0, 2]);
      assert.deepEqual(gradient, [0, 0, 1]);
    });
  }
});
