import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { jit, numpy as np } from "@jax-js/jax";
import { precisionOf, startEngine, toDevice, type Tree } from "../../src/engine/index.js";
import { clipByGlobalNorm, clipByValue, type GradientTransformation } from "../../src/optim/index.js";

const F64 = precisionOf("float64");

/** One update of `t` inside jit (as in the compiled training step), in float64. */
function compiledUpdate(t: GradientTransformation, values: number[]): number[] {
  const u = toDevice(values, [values.length], F64);
  const state = t.init(u.ref as unknown as Tree);
  const step = jit((g: np.Array, s: Tree) => t.update(g as unknown as Tree, s, undefined)[0] as unknown as np.Array);
  try {
    return Array.from(step(u, state as never).dataSync() as ArrayLike<number>);
  } finally {
    step.dispose();
  }
}

describe("clipping thresholds stay float64 inside compiled float64 steps", () => {
  before(() => startEngine());

  it("clipByValue(0.1) clips to exactly ±0.1", () => {
    assert.deepEqual(compiledUpdate(clipByValue(0.1), [0.5, -0.5, 0.05]), [0.1, -0.1, 0.05]);
  });

  it("clipByGlobalNorm(0.1) rescales [3, 4] to norm 0.1 within 1 ulp", () => {
    const [a, b] = compiledUpdate(clipByGlobalNorm(0.1), [3, 4]);
    assert.ok(Math.abs(a - 0.06) <= 2e-17 && Math.abs(b - 0.08) <= 2e-17, `${a}, ${b}`);
  });
});
