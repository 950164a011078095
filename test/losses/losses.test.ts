import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { precisionOf, startEngine, toDevice } from "../../src/engine/index.js";
import {
  accuracy,
  argmax,
  lossFunction,
  meanSquaredError,
  softmaxCrossEntropy,
  zeroOneError,
} from "../../src/losses.js";

const F64 = precisionOf("float64");

describe("losses", () => {
  before(() => startEngine());

  it("cross-entropy is the mean of −log softmax at the target (float64, against plain JS)", () => {
    const logits = [
      [2, -1, 0.5],
      [0, 3, -2],
    ];
    const labels = [0, 2];
    const expected =
      logits.reduce((s, row, i) => s - (row[labels[i]] - Math.log(row.reduce((t, v) => t + Math.exp(v), 0))), 0) /
      logits.length;
    const oneHot = labels.flatMap((l) => [0, 1, 2].map((c) => (c === l ? 1 : 0)));
    const got = softmaxCrossEntropy(toDevice(logits.flat(), [2, 3], F64), toDevice(oneHot, [2, 3], F64)).item();
    assert.ok(Math.abs(got - expected) < 1e-14, `${got} vs ${expected}`);
    assert.equal(lossFunction("cross-entropy"), softmaxCrossEntropy);
  });

  it("MSE averages over every element", () => {
    const got = meanSquaredError(toDevice([1, 2, 3, 4], [2, 2], F64), toDevice([0, 2, 5, 4], [2, 2], F64)).item();
    assert.equal(got, (1 + 0 + 4 + 0) / 4);
    assert.equal(lossFunction("mse"), meanSquaredError);
  });

  it("argmax takes the first maximum; accuracy and the 0-1 error count rows", () => {
    assert.equal(argmax([1, 3, 3, 2]), 1);
    assert.equal(argmax([9, 0, 1, 7, 5], 2, 3), 1, "within the row [1, 7, 5] at offset 2");
    const logits = [0.1, 0.9, 0.8, 0.2, 0.5, 0.5];
    assert.equal(accuracy(logits, [1, 0, 1], 2), 2 / 3);
    assert.ok(Math.abs(zeroOneError(logits, [1, 0, 1], 2) - 1 / 3) < 1e-15);
    assert.equal(accuracy([], [], 2), 0);
  });
});
