import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { precisionOf, startEngine } from "../../src/engine/index.js";
import { gaussianBlobs, subset } from "../../src/data/index.js";
import { mlp } from "../../src/nn/index.js";
import { book, namedOptimizer } from "../../src/optim/index.js";
const { adam, sgd } = book;
import { InvalidRunError, NonFiniteError, train, type TrainOptions } from "../../src/train/index.js";

const blobs = gaussianBlobs({ count: 120, classes: 3, dim: 4, key: 5 });
const trainSet = subset(
  blobs,
  Array.from({ length: 100 }, (_, i) => i),
);
const options = (overrides: Partial<TrainOptions> = {}): TrainOptions => ({
  model: mlp(3, { width: 4, depth: 1 }),
  train: trainSet,
  optimizer: adam(0.01),
  epochs: 1,
  batchSize: 20,
  seed: 0,
  precision: precisionOf("float32"),
  ...overrides,
});

describe("the library names the real cause", () => {
  before(startEngine);

  it("NaN in the input data: the example is named, not a learning rate", async () => {
    const x = Float32Array.from(trainSet.x);
    x[5] = NaN;
    await assert.rejects(train(options({ train: { ...trainSet, x } })), (error: unknown) => {
      assert.ok(error instanceof NonFiniteError, String(error));
      assert.match((error as Error).message, /at step \d+: the data holds NaN: input value 1 of training example 1$/);
      assert.doesNotMatch((error as Error).message, /--lr/);
      return true;
    });
  });

  it("settings the loop cannot honour", async () => {
    await assert.rejects(
      train(options({ batchSize: 101 })),
      (e: unknown) =>
        e instanceof InvalidRunError &&
        /batch size 101 is larger than the training set \(100 examples\)/.test((e as Error).message),
    );
    await assert.rejects(
      train(options({ earlyStopping: { patience: 2 } })),
      (e: unknown) =>
        e instanceof InvalidRunError && /early stopping \(patience\) needs a validation set/.test((e as Error).message),
    );
  });

  it("a negative learning rate", () => {
    assert.throws(() => sgd(-0.1), /the learning rate must be a finite non-negative number, got -0\.1/);
    assert.throws(
      () => namedOptimizer("torch.Adam", { lr: -1e-3 }),
      /torch\.Adam: "lr" must not be negative, got -0\.001/,
    );
    assert.throws(
      () => namedOptimizer("book.sgd", { lr: { kind: "cosine", init: -1, steps: 10 } }),
      /"lr" must not be negative, got -1/,
    );
  });
});
