import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { disposeTree, precisionOf, startEngine, treeToHost } from "../../src/engine/index.js";
import { gaussianBlobs, subset } from "../../src/data/index.js";
import { mlp } from "../../src/nn/index.js";
import { composeOptimizer, namedOptimizer, parseHyperparameters } from "../../src/optim/index.js";
import { train, type TrainOptions } from "../../src/train/index.js";

const blobs = gaussianBlobs({ count: 300, classes: 3, dim: 4, spread: 1.0, key: 11 });
const trainSet = subset(
  blobs,
  Array.from({ length: 200 }, (_, i) => i),
);
const testSet = subset(
  blobs,
  Array.from({ length: 100 }, (_, i) => 200 + i),
);

const options = (optimizer: TrainOptions["optimizer"], overrides: Partial<TrainOptions> = {}): TrainOptions => ({
  model: mlp(3, { width: 16, depth: 1, batchNorm: true }),
  train: trainSet,
  validation: testSet,
  test: testSet,
  optimizer,
  epochs: 4,
  batchSize: 32,
  seed: 5,
  precision: precisionOf("float32"),
  ...overrides,
});

function release(result: Awaited<ReturnType<typeof train>>) {
  disposeTree(result.params);
  disposeTree(result.modelState);
  disposeTree(result.averagedParams);
}

/** One short run per optimizer family through the compiled training step. */
describe("every optimizer family trains through the Trainer", () => {
  before(() => startEngine());

  const families: [string, Record<string, unknown>][] = [
    ["book.sgd", { lr0: 0.5, tau: 28 }],
    ["book.nesterov", { lr: 0.05 }], // gradient at the interim point, inside the compiled step, with batch norm
    ["book.rmsprop_nesterov", { lr: 0.01 }],
    ["book.adagrad", { lr: 0.1 }],
    ["torch.AdamW", { lr: 0.01 }],
    ["torch.RMSprop", { lr: 0.01, momentum: 0.5, centered: true }],
    ["lion", { lr: 0.01 }],
  ];
  for (const [name, hyper] of families) {
    it(`${name} ${JSON.stringify(hyper)}`, async () => {
      const result = await train(options(namedOptimizer(name, hyper, { totalSteps: 28 })));
      assert.ok(result.test!.accuracy! > 0.85, `test accuracy ${result.test!.accuracy}`);
      assert.ok(result.trainLoss < 0.6, `train loss ${result.trainLoss}`);
      release(result);
    });
  }

  it("Polyak averaging: the Trainer evaluates θ̂ and returns it beside θ", async () => {
    const optimizer = composeOptimizer({
      name: "torch.SGD",
      hyperparameters: parseHyperparameters("torch.SGD", { momentum: 0.9 }, { withoutLearningRate: true }),
      lr: 0.05,
      average: "exponential",
      averageDecay: 0.9,
    });
    const averaged = await train(options(optimizer));
    const plain = await train(options(optimizer, { evaluateAverage: false }));
    assert.ok(averaged.test!.accuracy! > 0.85, `test accuracy ${averaged.test!.accuracy}`);
    assert.deepEqual(treeToHost(averaged.params), treeToHost(plain.params), "averaging does not change the iterates");
    assert.notDeepEqual(treeToHost(averaged.averagedParams!), treeToHost(averaged.params));
    assert.notEqual(averaged.test!.loss, plain.test!.loss, "θ̂ was evaluated, not θ");
    release(averaged);
    release(plain);
  });

  it("the non-finite guard skips steps instead of stopping the run", async () => {
    const optimizer = composeOptimizer({ name: "sgd", hyperparameters: {}, lr: 1e30, skipNonFinite: true });
    const result = await train(
      options(optimizer, { model: mlp(3, { width: 8, depth: 1 }), divergenceFactor: Infinity, epochs: 2 }),
    );
    assert.equal(result.steps, 14);
    assert.ok(result.skippedUpdates! > 0, `skipped ${result.skippedUpdates}`);
    release(result);
  });

  it(
    "a composed optimizer's state (Nesterov, averaging, guard) resumes mid-run to the uninterrupted " + "result",
    async () => {
      const build = () =>
        composeOptimizer(
          {
            name: "book.nesterov",
            hyperparameters: { alpha: 0.9 },
            lr: 0.05,
            clipNorm: 5,
            average: "uniform",
            skipNonFinite: true,
          },
          { totalSteps: 28 },
        );
      const checkpointPath = join(mkdtempSync(join(tmpdir(), "descent-optresume-")), "c.safetensors");
      const whole = await train(options(build()));
      const first = await train(options(build(), { checkpointPath, stopAfterSteps: 10 }));
      const resumed = await train(options(build(), { checkpointPath, resumeFrom: checkpointPath }));
      assert.equal(first.interrupted, true);
      assert.deepEqual(treeToHost(resumed.params), treeToHost(whole.params));
      assert.deepEqual(treeToHost(resumed.averagedParams!), treeToHost(whole.averagedParams!));
      assert.equal(resumed.test!.loss, whole.test!.loss);
      for (const r of [whole, first, resumed]) release(r);
    },
  );

  it("early stopping with averaging keeps the best epoch's θ̂ and puts it back as the parameters", async () => {
    const metricsPath = join(mkdtempSync(join(tmpdir(), "descent-avgearly-")), "metrics.jsonl");
    const optimizer = composeOptimizer({
      name: "sgd",
      hyperparameters: {},
      lr: 3,
      average: "exponential",
      averageDecay: 0.5,
    });
    const result = await train(
      options(optimizer, { epochs: 30, earlyStopping: { patience: 2 }, metricsPath, divergenceFactor: Infinity }),
    );
    const epochs = readFileSync(metricsPath, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((r) => r.type === "epoch");
    const best = Math.min(...epochs.map((r) => r.validationLoss));
    assert.equal(result.stoppedEarly, true);
    assert.ok(
      Math.abs(result.validation!.loss - best) < 1e-6 * (1 + best),
      `restored ${result.validation!.loss} vs best ${best}`,
    );
    release(result);
  });
});
