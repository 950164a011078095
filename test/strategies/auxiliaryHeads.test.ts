import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { numpy as np } from "@jax-js/jax";
import {
  disposeTree,
  precisionOf,
  random,
  startEngine,
  toDevice,
  treeToHost,
  type HostTensor,
} from "../../src/engine/index.js";
import { gaussianBlobs } from "../../src/data/index.js";
import { readSafetensors } from "../../src/io/safetensors.js";
import { softmaxCrossEntropy } from "../../src/losses.js";
import { book } from "../../src/optim/index.js";
import { compilePredict, train } from "../../src/train/index.js";
import {
  auxiliaryHeadsLoss,
  decayToZero,
  predictionModel,
  predictionParams,
  savePredictionWeights,
} from "../../src/strategies/auxiliaryHeads.js";
import { deepMlp } from "../../src/strategies/deepMlp.js";
import { transferFromCheckpoint } from "../../src/strategies/transfer.js";

const { sgd } = book;

const precision = precisionOf("float32");
const data = gaussianBlobs({ count: 64, classes: 3, dim: 4, key: 9 });
const scalar = (a: np.Array) => (a.dataSync() as Float32Array)[0];

describe("auxiliary heads (deep supervision)", () => {
  before(async () => startEngine());

  it("adds w·Σ head losses to the main loss", () => {
    const out = toDevice(
      Float64Array.from({ length: 2 * 9 }, (_, i) => Math.cos(i)),
      [2, 9],
      precision,
    );
    const y = toDevice([1, 0, 0, 0, 0, 1], [2, 3], precision);
    const ce = (from: number) => scalar(softmaxCrossEntropy(out.ref.slice([], [from, from + 3]), y.ref));
    const k = () => np.full([], 1, { dtype: np.float32 });
    const got = scalar(auxiliaryHeadsLoss(3, 2, 0.25)(out.ref, y.ref, k()));
    assert.ok(Math.abs(got - (ce(0) + 0.25 * (ce(3) + ce(6)))) < 1e-5);
    assert.ok(Math.abs(scalar(auxiliaryHeadsLoss(3, 2, 0)(out.ref, y.ref, k())) - ce(0)) < 1e-6);
    out.dispose();
    y.dispose();
  });

  it("heads stop moving once their weight reaches zero (plain SGD), and the main network keeps training", async () => {
    const model = deepMlp(3, { depth: 3, width: 8, activation: "tanh", auxiliaryHeads: [0, 1] });
    const tau = 6;
    const snapshots = new Map<number, Map<string, HostTensor>>();
    const result = await train({
      model,
      train: data,
      optimizer: sgd(0.1),
      epochs: 3,
      batchSize: 16,
      seed: 1,
      precision,
      loss: auxiliaryHeadsLoss(3, 2, decayToZero(1, tau)),
      callbacks: {
        onStep: ({ step, state }) => void (step >= tau - 2 && snapshots.set(step, treeToHost(state.params))),
      },
    });
    const at = (step: number, path: string) => Array.from(snapshots.get(step)!.get(path)!.data);
    // Step tau − 1 still has weight 1/τ > 0: the heads move; from step tau on the weight is 0: they stay.
    assert.notDeepEqual(at(tau - 2, "heads.0.weight"), at(tau - 1, "heads.0.weight"));
    assert.notDeepEqual(at(tau - 2, "heads.1.weight"), at(tau - 1, "heads.1.weight"));
    assert.deepEqual(at(tau - 1, "heads.0.weight"), at(result.steps, "heads.0.weight"));
    assert.deepEqual(at(tau - 1, "heads.1.bias"), at(result.steps, "heads.1.bias"));
    assert.notDeepEqual(at(tau - 1, "hidden.0.weight"), at(result.steps, "hidden.0.weight"));
    disposeTree(result.params);
  });

  it("prediction drops the heads: saved weights have none and predict as the trained network does", async () => {
    const model = deepMlp(3, { depth: 3, width: 8, auxiliaryHeads: [1] });
    const result = await train({
      model,
      train: data,
      optimizer: sgd(0.1),
      epochs: 1,
      batchSize: 16,
      seed: 2,
      precision,
      loss: auxiliaryHeadsLoss(3, 1, 0.3),
    });
    const path = join(mkdtempSync(join(tmpdir(), "aux-")), "predict.safetensors");
    savePredictionWeights(path, result.params);
    assert.ok([...readSafetensors(path).tensors.keys()].every((k) => !k.startsWith("heads")));
    const plain = predictionModel(model);
    const fresh = plain.init(random.randomKey(0), [4], precision);
    const loaded = transferFromCheckpoint(path, 4, precision)(fresh.params, fresh.state);
    const x = toDevice(data.x.subarray(0, 8 * 4), [8, 4], precision);
    const withHeads = compilePredict(model).run(result.params, result.modelState, x.ref).dataSync();
    const withoutHeads = compilePredict(plain).run(loaded, {}, x.ref).dataSync();
    const stripped = predictionParams(result.params);
    assert.deepEqual(Object.keys(stripped), ["hidden", "output"]);
    assert.deepEqual(Array.from(withoutHeads), Array.from(withHeads));
    for (const t of [result.params, fresh.params, loaded, stripped]) disposeTree(t);
    x.dispose();
  });
});
