import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { disposeTree, precisionOf, startEngine, treeToHost, type HostTensor } from "../../src/engine/index.js";
import { gaussianBlobs, subset } from "../../src/data/index.js";
import { mlp } from "../../src/nn/index.js";
import { book } from "../../src/optim/index.js";
import { saveCheckpoint, train } from "../../src/train/index.js";
import { greedyPretraining } from "../../src/strategies/pretraining.js";
import { deepMlp } from "../../src/strategies/deepMlp.js";
import { layerPaths, transferFromCheckpoint } from "../../src/strategies/transfer.js";

const { adam } = book;

const precision = precisionOf("float32");
const blobs = gaussianBlobs({ count: 120, classes: 3, dim: 4, spread: 1.0, key: 5 });
const trainSet = subset(
  blobs,
  Array.from({ length: 96 }, (_, i) => i),
);
const validation = subset(
  blobs,
  Array.from({ length: 24 }, (_, i) => 96 + i),
);

const bitsEqual = (a: HostTensor, b: HostTensor) =>
  Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).equals(
    Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength),
  );

describe("greedy supervised pretraining", () => {
  before(async () => startEngine());

  for (const rawInput of [false, true]) {
    it(`freezes exactly the layers below the new one${rawInput ? " (raw input, Fig. 8.7c)" : ""}`, async () => {
      const result = await greedyPretraining({
        train: trainSet,
        validation,
        network: { depth: 3, width: 8, activation: "tanh", rawInput },
        optimizer: () => adam(0.02),
        epochsPerStage: 2,
        fineTuneEpochs: 1,
        batchSize: 32,
        seed: 1,
        precision,
      });
      assert.deepEqual(
        result.stages.map((s) => s.frozen),
        [[], ["hidden.0"], ["hidden.0", "hidden.1"]],
      );
      for (let s = 1; s < result.stages.length; s++) {
        const before = result.stages[s - 1].params;
        const after = result.stages[s].params;
        for (const path of ["weight", "bias"]) {
          for (let i = 0; i < s; i++)
            assert.ok(
              bitsEqual(before.get(`hidden.${i}.${path}`)!, after.get(`hidden.${i}.${path}`)!),
              `stage ${s + 1} moved hidden.${i}.${path}`,
            );
        }
        // The added layer reads the frozen layer (and, with the raw-input option, the input too).
        assert.equal(after.get(`hidden.${s}.weight`)!.shape[0], rawInput ? 8 + 4 : 8);
      }
      // Fine-tuning trains everything: the first layer moves.
      const final = treeToHost(result.params);
      assert.ok(!bitsEqual(final.get("hidden.0.weight")!, result.stages[2].params.get("hidden.0.weight")!));
      assert.ok(result.fineTune!.validation!.accuracy! > 0.6, `accuracy ${result.fineTune!.validation!.accuracy}`);
      disposeTree(result.params);
      disposeTree(result.modelState);
    });
  }
});

describe("transfer of the first k layers from a checkpoint", () => {
  before(async () => startEngine());

  it("orders layers naturally and skips auxiliary heads", () => {
    assert.deepEqual(
      layerPaths(["output.weight", "hidden.10.weight", "hidden.2.weight", "hidden.2.bias", "heads.0.weight"]),
      ["hidden.2", "hidden.10", "output"],
    );
    assert.deepEqual(layerPaths(["5.weight", "1.weight", "3.bias", "3.weight"]), ["1", "3", "5"]);
  });

  it("copies a trained mlp's first layers into a deep MLP and leaves the rest fresh", async () => {
    const source = await train({
      model: mlp(3, { width: 8, depth: 2 }),
      train: trainSet,
      optimizer: adam(0.02),
      epochs: 1,
      batchSize: 32,
      seed: 2,
      precision,
    });
    const path = join(mkdtempSync(join(tmpdir(), "transfer-")), "source.safetensors");
    saveCheckpoint(
      path,
      { params: source.params, modelState: source.modelState, optState: {} },
      { step: 1, epoch: 1 },
      null,
    );
    const sourceHost = treeToHost(source.params);
    const model = deepMlp(3, { depth: 3, width: 8 });
    const fresh = model.init([0, 9], [4], precision);
    const freshHost = treeToHost(fresh.params);
    const moved = treeToHost(transferFromCheckpoint(path, 2, precision)(fresh.params, fresh.state));
    assert.deepEqual(Array.from(moved.get("hidden.0.weight")!.data), Array.from(sourceHost.get("1.weight")!.data));
    assert.deepEqual(Array.from(moved.get("hidden.1.bias")!.data), Array.from(sourceHost.get("3.bias")!.data));
    assert.deepEqual(
      Array.from(moved.get("hidden.2.weight")!.data),
      Array.from(freshHost.get("hidden.2.weight")!.data),
    );
    assert.throws(() => transferFromCheckpoint(path, 4, precision), /has 3 layers, fewer than the 4/);
    const wide = deepMlp(3, { depth: 2, width: 5 }).init([0, 1], [4], precision);
    assert.throws(
      () => transferFromCheckpoint(path, 1, precision)(wide.params, wide.state),
      /cannot copy "hidden.0.weight": the source has shape \[4,8\], the network \[4,5\]/,
    );
    for (const t of [source.params, source.modelState, fresh.params, wide.params]) disposeTree(t);
  });
});
