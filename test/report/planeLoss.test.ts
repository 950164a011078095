import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  disposeTree,
  precisionOf,
  random,
  startEngine,
  treeFromHost,
  treeToHost,
  type HostTensor,
} from "../../src/engine/index.js";
import { gaussianBlobs } from "../../src/data/index.js";
import { deviceBatch, modelLoss } from "../../src/curvature/index.js";
import { mlp, rnnClassifier } from "../../src/nn/index.js";
import { lossOnPlane, sequentialLossOnPlane } from "../../src/report/planeLoss.js";

const precision = precisionOf("float64");

/** A direction with every parameter moved, biases too (as PCA directions are). */
const gaussianLike = (params: Map<string, HostTensor>, seed: number) =>
  new Map(
    [...params].map(([p, t], i) => [
      p,
      { shape: t.shape, data: Float64Array.from(random.normal(random.randomKey(seed * 100 + i), t.data.length)) },
    ]),
  );

describe("sequentialLossOnPlane", () => {
  before(async () => startEngine());

  it("gives the plain loop's losses with the first layer's matmul done once (float64)", () => {
    const data = gaussianBlobs({ count: 30, classes: 3, dim: 4, key: random.randomKey(1) });
    const model = mlp(3, { width: 6, depth: 2, activation: "tanh" });
    const init = model.init(random.randomKey(2), data.xShape, precision);
    const host = treeToHost(init.params);
    const dev = (m: Map<string, HostTensor>) => treeFromHost(init.params, m, precision);
    const [base, d1, d2] = [dev(host), dev(gaussianLike(host, 3)), dev(gaussianLike(host, 4))];
    const batch = deviceBatch(
      data,
      Array.from({ length: 30 }, (_, i) => i),
      precision,
    );
    const points: [number, number][] = [
      [0, 0],
      [0.3, -0.2],
      [-0.5, 0.7],
    ];
    const fast = sequentialLossOnPlane(model, true, { base, d1, d2, modelState: init.state }, batch, points, precision);
    const slow = lossOnPlane(modelLoss(model, true), base, d1, d2, [init.state, batch.x, batch.y], points, precision);
    assert.ok(fast);
    points.forEach((_, i) =>
      assert.ok(Math.abs(fast[i] - slow[i]) < 1e-9 * Math.max(1, slow[i]), `${fast[i]} vs ${slow[i]}`),
    );
    assert.ok(new Set(fast).size === 3);
    disposeTree([base, d1, d2, batch.x, batch.y, init.params, init.state]);
  });

  it("declines a model whose first parametrized layer is not affine in its parameters", () => {
    const data = gaussianBlobs({ count: 8, classes: 2, dim: 4, key: random.randomKey(5) });
    const sequences = { ...data, xShape: [2, 2] };
    const model = rnnClassifier(2, [2, 2], { width: 3 });
    const init = model.init(random.randomKey(6), sequences.xShape, precision);
    const batch = deviceBatch(
      sequences,
      Array.from({ length: 8 }, (_, i) => i),
      precision,
    );
    const trees = { base: init.params, d1: init.params, d2: init.params, modelState: init.state };
    assert.equal(sequentialLossOnPlane(model, true, trees, batch, [[0, 0]], precision), undefined);
    disposeTree([batch.x, batch.y, init.params, init.state]);
  });
});
