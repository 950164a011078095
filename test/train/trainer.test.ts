import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { disposeTree, precisionOf, startEngine, treeToHost } from "../../src/engine/index.js";
import { gaussianBlobs, subset } from "../../src/data/index.js";
import { mlp } from "../../src/nn/index.js";
import { book } from "../../src/optim/index.js";

const { adam, sgd } = book;
import { LossDivergedError, NonFiniteError, train, type TrainOptions } from "../../src/train/index.js";

const blobs = gaussianBlobs({ count: 300, classes: 3, dim: 4, spread: 1.0, key: 7 });
const trainSet = subset(
  blobs,
  Array.from({ length: 200 }, (_, i) => i),
);
const testSet = subset(
  blobs,
  Array.from({ length: 100 }, (_, i) => 200 + i),
);

function options(overrides: Partial<TrainOptions> = {}): TrainOptions {
  return {
    model: mlp(3, { width: 16, depth: 1, batchNorm: true }),
    train: trainSet,
    validation: testSet,
    test: testSet,
    optimizer: adam(0.01),
    epochs: 4,
    batchSize: 32,
    seed: 3,
    precision: precisionOf("float32"),
    ...overrides,
  };
}

const paramsOf = async (opts: TrainOptions) => {
  const result = await train(opts);
  const host = treeToHost([result.params, result.modelState]);
  disposeTree(result.params);
  disposeTree(result.modelState);
  return { result, host };
};

const metricLines = (path: string) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const { elapsedSeconds: _t, ...rest } = JSON.parse(l);
      return rest;
    });

describe("Trainer", () => {
  before(() => startEngine());

  it("learns separable blobs", async () => {
    const { result } = await paramsOf(options());
    assert.ok(result.test!.accuracy! > 0.9, `test accuracy ${result.test!.accuracy}`);
    assert.equal(result.steps, 4 * Math.ceil(200 / 32));
  });

  it("gives identical metrics and parameters for the same seed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "descent-det-"));
    const a = await paramsOf(options({ metricsPath: join(dir, "a.jsonl") }));
    const b = await paramsOf(options({ metricsPath: join(dir, "b.jsonl") }));
    assert.deepEqual(metricLines(join(dir, "a.jsonl")), metricLines(join(dir, "b.jsonl")));
    assert.deepEqual(a.host, b.host);
    const c = await paramsOf(options({ seed: 4 }));
    assert.notDeepEqual(a.host, c.host);
  });

  it("resumes mid-epoch from a checkpoint to exactly the uninterrupted parameters", async () => {
    const dir = mkdtempSync(join(tmpdir(), "descent-resume-"));
    const checkpointPath = join(dir, "checkpoint.safetensors");
    const metricsPath = join(dir, "metrics.jsonl");
    const whole = await paramsOf(options());
    const first = await paramsOf(options({ checkpointPath, metricsPath, stopAfterSteps: 10 }));
    assert.equal(first.result.interrupted, true);
    assert.equal(first.result.steps, 10);
    const resumed = await paramsOf(options({ checkpointPath, metricsPath, resumeFrom: checkpointPath }));
    assert.equal(resumed.result.steps, whole.result.steps);
    assert.deepEqual(resumed.host, whole.host);
    assert.equal(resumed.result.test!.loss, whole.result.test!.loss);
    const epochs = metricLines(metricsPath)
      .filter((r) => r.type === "epoch")
      .map((r) => r.epoch);
    assert.deepEqual(epochs, [1, 2, 3, 4]);
  });

  it("stops on a non-finite loss naming the step and the parameter", async () => {
    await assert.rejects(
      train(options({ optimizer: sgd(1e30), model: mlp(3, { width: 8, depth: 1 }), divergenceFactor: Infinity })),
      (error: unknown) => {
        assert.ok(error instanceof NonFiniteError, String(error));
        assert.match((error as Error).message, /non-finite .* at step \d+: lower the learning rate/);
        assert.match((error as Error).message, /parameter "\d+\.(weight|bias)"|loss/);
        return true;
      },
    );
  });

  it("stops a diverging (finite) loss with a clear error", async () => {
    await assert.rejects(
      train(options({ optimizer: adam(1e6) })),
      (error: unknown) => error instanceof LossDivergedError && /diverged at step 2/.test((error as Error).message),
    );
  });

  it("early stopping halts after `patience` epochs without improvement and restores the best epoch", async () => {
    const dir = mkdtempSync(join(tmpdir(), "descent-early-"));
    const metricsPath = join(dir, "metrics.jsonl");
    // A rate so large the validation loss gets worse after the first epochs.
    const { result } = await paramsOf(
      options({
        optimizer: sgd(3),
        epochs: 30,
        earlyStopping: { patience: 2 },
        metricsPath,
        divergenceFactor: Infinity,
      }),
    );
    const epochs = metricLines(metricsPath).filter((r) => r.type === "epoch");
    const best = Math.min(...epochs.map((r) => r.validationLoss));
    assert.equal(result.stoppedEarly, true);
    assert.ok(result.epochs < 30);
    const bestIndex = epochs.findIndex((r) => r.validationLoss === best);
    assert.equal(epochs.length, bestIndex + 1 + 2);
    assert.ok(
      Math.abs(result.validation!.loss - best) < 1e-6 * (1 + best),
      `restored ${result.validation!.loss} vs best ${best}`,
    );
  });
});
