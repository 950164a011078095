import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { numpy as np } from "@jax-js/jax";
import {
  disposeTree,
  precisionOf,
  startEngine,
  toDevice,
  treeToHost,
  type HostTensor,
} from "../../src/engine/index.js";
import { gaussianBlobs, subset } from "../../src/data/index.js";
import { book } from "../../src/optim/index.js";
import { train } from "../../src/train/index.js";
import { deepMlp } from "../../src/strategies/deepMlp.js";
import { decayToZero } from "../../src/strategies/auxiliaryHeads.js";
import { hintedLoss, teacherHints, trainWithHints } from "../../src/strategies/hints.js";

const { adam } = book;

const precision = precisionOf("float32");
const blobs = gaussianBlobs({ count: 160, classes: 3, dim: 4, spread: 1.0, key: 4 });
const trainSet = subset(
  blobs,
  Array.from({ length: 128 }, (_, i) => i),
);
const validation = subset(
  blobs,
  Array.from({ length: 32 }, (_, i) => 128 + i),
);

describe("hints (FitNets)", () => {
  before(async () => startEngine());

  it("the stage-2 loss is CE + λ·MSE(regressor, hint)", () => {
    const out = toDevice([2, 0, -1, 0.5, 0.5, 1, 0], [1, 7], precision); // logits | r (2) | h (2)
    const y = toDevice([0, 0, 1], [1, 3], precision);
    const ce = Math.log(Math.exp(2) + 1 + Math.exp(-1)) + 1;
    const mse = ((0.5 - 1) ** 2 + 0.5 ** 2) / 2;
    const got = (hintedLoss(3, 2, 0.5)(out, y, np.full([], 1, { dtype: np.float32 })).dataSync() as Float32Array)[0];
    assert.ok(Math.abs(got - (ce + 0.5 * mse)) < 1e-5, `${got} vs ${ce + 0.5 * mse}`);
  });

  it(
    "stage 1 fits the teacher's middle layer; stage 2 learns the task with a decaying hint weight, the teacher held " +
      "fixed",
    async () => {
      const teacherModel = deepMlp(3, { depth: 3, width: 12, activation: "tanh" });
      const teacher = await train({
        model: teacherModel,
        train: trainSet,
        optimizer: adam(0.03),
        epochs: 4,
        batchSize: 32,
        seed: 1,
        precision,
      });
      const hints = teacherHints(teacherModel, teacher.params, trainSet, 1, precision);
      assert.deepEqual(hints.yShape, [12]);
      // The hint targets' variance per unit: a regressor that learned nothing would score about this.
      const mean = new Float64Array(12);
      hints.y.forEach((v, i) => (mean[i % 12] += v / hints.size));
      const variance = hints.y.reduce((s, v, i) => s + (v - mean[i % 12]) ** 2, 0) / hints.y.length;
      const teacherBefore = treeToHost(teacher.params);
      const firstAndLast: Map<string, HostTensor>[] = [];
      const result = await trainWithHints({
        train: trainSet,
        validation,
        teacher: { model: teacherModel, params: teacher.params },
        student: { depth: 5, width: 6, activation: "tanh" },
        hintLayer: 1,
        guidedLayer: 2,
        optimizer: () => adam(0.03),
        hintEpochs: 6,
        taskEpochs: 3,
        hintWeight: decayToZero(1, 8),
        batchSize: 32,
        seed: 2,
        precision,
        callbacks: {
          onStep: ({ step, state }) =>
            void (
              (step === 1 || step === 12) &&
              firstAndLast.push(treeToHost((state.params as { teacher: never }).teacher))
            ),
        },
      });
      assert.ok(result.hintLoss < 0.5 * variance, `hint loss ${result.hintLoss} vs variance ${variance}`);
      assert.equal(result.task.steps, 12);
      for (const [path, t] of firstAndLast[0]) {
        assert.deepEqual(Array.from(firstAndLast[1].get(path)!.data), Array.from(t.data), `teacher ${path} moved`);
        assert.deepEqual(
          Array.from(teacherBefore.get(path)!.data),
          Array.from(t.data),
          `teacher ${path} differs from the trained one`,
        );
      }
      assert.deepEqual([...treeToHost(result.params).keys()].slice(0, 2), ["hidden.0.weight", "hidden.0.bias"]);
      assert.ok(result.task.validation!.accuracy! > 0.6, `accuracy ${result.task.validation!.accuracy}`);
      disposeTree(result.params);
      disposeTree(teacher.params);
    },
  );
});
