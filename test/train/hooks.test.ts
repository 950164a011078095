import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { numpy as np } from "@jax-js/jax";
import { disposeTree, precisionOf, startEngine, treeToHost } from "../../src/engine/index.js";
import { gaussianBlobs } from "../../src/data/index.js";
import { softmaxCrossEntropy } from "../../src/losses.js";
import { mlp } from "../../src/nn/index.js";
import { book } from "../../src/optim/index.js";
import { train, type TrainLoss, type TrainOptions } from "../../src/train/index.js";

const { sgd } = book;

const data = gaussianBlobs({ count: 96, classes: 3, dim: 4, key: 2 });
// A loss whose scale depends on the step count: k·CE for k ≤ 3, then 0 (no more learning).
const stepScaled: TrainLoss = (out, y, k) =>
  softmaxCrossEntropy(out, y).mul(np.where(k.ref.lessEqual(3), k.ref, np.zerosLike(k)));

const options = (o: Partial<TrainOptions> = {}): TrainOptions => ({
  model: mlp(3, { width: 8, depth: 1 }),
  train: data,
  optimizer: sgd(0.1),
  epochs: 2,
  batchSize: 16,
  seed: 4,
  precision: precisionOf("float32"),
  loss: stepScaled,
  ...o,
});

describe("Trainer hooks: a custom loss with the step count, and a batch sampler", () => {
  before(async () => startEngine());

  it(
    "passes k = 1, 2, … to the loss (the parameters stop moving after k = 3), and a resume continues the " + "count",
    async () => {
      const steps: Record<number, number[]> = {};
      const whole = await train(
        options({
          callbacks: {
            onStep: ({ step, state }) =>
              void (steps[step] = Array.from(treeToHost(state.params).get("1.weight")!.data)),
          },
        }),
      );
      assert.notDeepEqual(steps[2], steps[3]);
      assert.deepEqual(steps[3], steps[4]);
      assert.deepEqual(steps[3], steps[12]);
      // The stats report the loss the custom objective returned: 0 once k > 3.
      const losses: number[] = [];
      const again = await train(options({ callbacks: { onStep: ({ stats }) => void losses.push(stats.loss) } }));
      assert.ok(losses[0] > 0 && losses[3] === 0);
      const dir = mkdtempSync(join(tmpdir(), "hooks-"));
      const checkpointPath = join(dir, "c.safetensors");
      await train(options({ checkpointPath, stopAfterSteps: 2 }));
      const resumed = await train(options({ checkpointPath, resumeFrom: checkpointPath }));
      assert.deepEqual(treeToHost(resumed.params), treeToHost(whole.params));
      for (const r of [whole, again, resumed]) disposeTree([r.params, r.modelState]);
    },
  );

  it("takes the batches from a sampler instead of the sampling regime", async () => {
    // Only the first 16 examples, in two batches of 8, every epoch; the others are poisoned with NaN.
    const poisoned = { ...data, x: data.x.map((v, i) => (i < 16 * 4 ? v : NaN)) };
    const sampler = () => [
      Int32Array.from({ length: 8 }, (_, i) => i),
      Int32Array.from({ length: 8 }, (_, i) => 8 + i),
    ];
    const result = await train(options({ train: poisoned, loss: undefined, sampler, epochs: 3 }));
    assert.equal(result.steps, 6);
    assert.ok(Number.isFinite(result.trainLoss));
    disposeTree([result.params, result.modelState]);
  });
});
