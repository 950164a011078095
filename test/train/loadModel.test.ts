import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { data, engine, nn, numpy as np, optim, train } from "../../src/index.js";
import { descent } from "../cli/run.js";

const dir = mkdtempSync(join(tmpdir(), "descent-loadmodel-"));

describe("train.loadModel: prediction without the optimizer", () => {
  before(() => engine.startEngine());
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(
    "a `descent train --out` directory: the loaded network evaluates as the trainer did (batch norm's running " +
      "statistics included)",
    () => {
      const out = join(dir, "cli");
      const run = descent([
        "train",
        "--dataset",
        "blobs",
        "--epochs",
        "2",
        "--width",
        "16",
        "--depth",
        "1",
        "--batch-norm",
        "--seed",
        "3",
        "--json",
        "--out",
        out,
      ]);
      assert.equal(run.code, 0, run.stderr);
      const summary = JSON.parse(run.stdout);
      const model = train.loadModel(out);
      try {
        const { test } = data.parseDatasetSpec("blobs", 3);
        const evaluation = model.evaluate(test);
        assert.equal(evaluation.loss, summary.testLoss);
        assert.equal(evaluation.accuracy, summary.testAccuracy);
        // The running statistics are the trained ones, not a fresh init's (mean 0, variance 1).
        const stats = engine.treeToHost(model.modelState);
        assert.ok(stats.size > 0);
        assert.ok([...stats.values()].some((t) => t.data.some((v) => v !== 0 && v !== 1)));
        const logits = model.predict(np.array(test.x.slice(0, 2 * 2), { dtype: np.float32 }).reshape([2, 2]));
        assert.deepEqual(logits.shape, [2, 3]);
        logits.dispose();
      } finally {
        model.dispose();
      }
    },
  );

  it("a checkpoint of one's own Trainer run, given the model", async () => {
    const precision = engine.precisionOf("float32");
    const { train: trainSet, test } = data.parseDatasetSpec("spirals", 1);
    const model = nn.mlp(2, { width: 8, depth: 1, batchNorm: true });
    const checkpointPath = join(dir, "own.safetensors");
    const result = await train.train({
      model,
      train: trainSet,
      test,
      optimizer: optim.torch.Adam({ lr: 0.01 }),
      epochs: 1,
      batchSize: 100,
      seed: 0,
      precision,
      checkpointPath,
    });
    engine.disposeTree(result.params);
    engine.disposeTree(result.modelState);
    const loaded = train.loadModel(checkpointPath, { model, inputShape: trainSet.xShape });
    try {
      assert.deepEqual(loaded.evaluate(test), result.test);
    } finally {
      loaded.dispose();
    }
    assert.throws(() => train.loadModel(checkpointPath), /does not record the input shape; pass \{ inputShape \}/);
    assert.throws(
      () => train.loadModel(checkpointPath, { model: nn.mlp(2, { width: 4, depth: 1 }), inputShape: trainSet.xShape }),
      /does not fit the model/,
    );
    assert.throws(() => train.loadModel(join(dir, "missing")), /does not exist/);
  });

  it("weights: best (default) or final, from a path or a checkpoint read once, with the run's progress", async () => {
    const precision = engine.precisionOf("float32");
    const { train: trainSet, test } = data.parseDatasetSpec("spirals", 2);
    const [fit, validation] = [
      data.subset(trainSet, [...Array(300).keys()]),
      data.subset(test, [...Array(100).keys()]),
    ];
    const model = nn.mlp(2, { width: 8, depth: 1 });
    const checkpointPath = join(dir, "early.safetensors");
    let lastStep: Map<string, engine.HostTensor> | undefined;
    const result = await train.train({
      model,
      train: fit,
      validation,
      earlyStopping: { patience: 10 },
      optimizer: optim.torch.SGD({ lr: 0.5 }),
      epochs: 4,
      batchSize: 50,
      seed: 1,
      precision,
      checkpointPath,
      callbacks: { onStep: ({ state }) => void (lastStep = engine.treeToHost(state.params)) },
    });
    const bestParams = engine.treeToHost(result.params);
    engine.disposeTree([result.params, result.modelState]);
    const checkpoint = train.readModelCheckpoint(checkpointPath);
    assert.deepEqual([checkpoint.progress.step, checkpoint.progress.epoch], [24, 4]);
    const opts = { model, inputShape: trainSet.xShape };
    const best = train.loadModel(checkpoint, opts);
    const final = train.loadModel(checkpointPath, { ...opts, weights: "final" });
    try {
      assert.equal(best.weights, "best");
      assert.equal(final.weights, "final");
      assert.equal(final.progress.step, 24);
      assert.deepEqual(engine.treeToHost(best.params), bestParams);
      assert.deepEqual(engine.treeToHost(final.params), lastStep);
      // At this rate the validation loss is lowest before the last epoch: best and final differ.
      assert.notDeepEqual(lastStep, bestParams);
    } finally {
      best.dispose();
      final.dispose();
    }
  });
});
