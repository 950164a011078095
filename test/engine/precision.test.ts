import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { numpy as np } from "@jax-js/jax";
import { dtypeName, precisionOf, startEngine, toDevice } from "../../src/engine/index.js";

describe("the dtype/device policy", () => {
  before(() => startEngine());

  it("maps names to dtype and device (both on Wasm; float64-fast is an alias of float64)", () => {
    assert.deepEqual(precisionOf("float32"), { dtype: np.float32, device: "wasm" });
    assert.deepEqual(precisionOf("float64"), { dtype: np.float64, device: "wasm" });
    assert.deepEqual(precisionOf("float64-fast"), { dtype: np.float64, device: "wasm" });
    assert.equal(dtypeName(np.float32), "float32");
    assert.equal(dtypeName(np.float64), "float64");
    assert.throws(() => dtypeName(np.int32), /unsupported dtype/);
  });

  it("keeps float64 values exact and rounds float32 ones", () => {
    const third = 1 / 3;
    const x64 = toDevice([third, 2, 3, 4], [2, 2], precisionOf("float64"));
    assert.deepEqual(x64.shape, [2, 2]);
    assert.equal(x64.dataSync()[0], third);
    const x32 = toDevice([third], [1], precisionOf("float32"));
    assert.equal(x32.dataSync()[0], Math.fround(third));
  });

  it("computes exp exactly in float64 (the reason for the policy)", () => {
    const x = toDevice([0.5, 1.5, -2.25], [3], precisionOf("float64"));
    const got = np.exp(x).dataSync();
    [0.5, 1.5, -2.25].forEach((v, i) => assert.ok(Math.abs(got[i] - Math.exp(v)) <= 1e-15 * Math.exp(v), `exp(${v})`));
  });
});
