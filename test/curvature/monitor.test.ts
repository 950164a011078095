import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { disposeTree, leavesWithPaths, precisionOf, random, startEngine } from "../../src/engine/index.js";
import { gaussianBlobs, linearRegression } from "../../src/data/index.js";
import { mlp } from "../../src/nn/index.js";
import { book } from "../../src/optim/index.js";

const { sgd } = book;
import { train } from "../../src/train/index.js";
import {
  compileIllConditioningProbe,
  deviceBatch,
  figure81Verdict,
  illConditioningMonitor,
  layerGradientNorms,
  modelLoss,
  treeLossHessian,
} from "../../src/curvature/index.js";
import { F64 } from "./helpers.js";

describe("the gᵀHg ill-conditioning monitor (8.2.1)", () => {
  before(() => startEngine());

  it(
    "on a quadratic loss (linear model, MSE) the second-order prediction is the actual change, and gᵀHg is " + "g·(Hg)",
    () => {
      const { dataset } = linearRegression({ count: 40, dim: 5, conditionNumber: 50, key: random.randomKey(1) });
      const model = mlp(1, { depth: 0 });
      const loss = modelLoss(model, false);
      const init = model.init(random.randomKey(2), dataset.xShape, F64);
      const { x, y } = deviceBatch(
        dataset,
        Array.from({ length: 40 }, (_, i) => i),
        F64,
      );
      const probe = compileIllConditioningProbe(loss, F64);
      const small = probe.run(init.params, 1e-3, init.state, x, y);
      assert.ok(
        Math.abs(small.predictedChange - small.actualChange) <= 1e-12 * Math.abs(small.loss),
        `${small.predictedChange} vs ${small.actualChange}`,
      );
      assert.equal(small.illConditioned, false);
      assert.ok(small.actualChange < 0);

      const op = treeLossHessian(loss, init.params, [{ data: [init.state, x, y], weight: 1 }], F64);
      const [, g] = op.valueAndGradient();
      const gHg = op.apply(g).reduce((s, v, i) => s + v * g[i], 0);
      assert.ok(Math.abs(gHg - small.gHg) <= 1e-12 * gHg, `${gHg} vs ${small.gHg}`);
      op.dispose();

      // A step beyond 2gᵀg/gᵀHg: the second-order term wins and the step goes uphill.
      const eps = (3 * small.gTg) / small.gHg;
      const big = probe.run(init.params, eps, init.state, x, y);
      assert.equal(big.illConditioned, true);
      assert.ok(big.actualChange > 0 && big.curvatureRatio > 1);
      assert.ok(Math.abs(big.predictedChange - big.actualChange) <= 1e-10 * Math.abs(big.loss));
      probe.dispose();
      // The probe borrowed everything: each input is back to its one reference.
      for (const t of [init.params, x, y]) for (const { leaf } of leavesWithPaths(t)) assert.equal(leaf.refCount, 1);
      disposeTree([init.params, init.state, x, y]);
    },
  );

  it("runs as Trainer callbacks: records every N steps, with per-layer gradient norms", async () => {
    const data = gaussianBlobs({ count: 200, classes: 3, dim: 4, key: random.randomKey(3) });
    const model = mlp(3, { width: 8, depth: 2 });
    const f32 = precisionOf("float32");
    const probe = deviceBatch(
      data,
      Array.from({ length: 64 }, (_, i) => i),
      f32,
    );
    const monitor = illConditioningMonitor({
      loss: modelLoss(model, true),
      probe,
      precision: f32,
      every: 5,
      lr: () => 0.1,
    });
    const layers = layerGradientNorms(5);
    const everyStep = layerGradientNorms(1);
    const result = await train({
      model,
      train: data,
      optimizer: sgd(0.1),
      epochs: 2,
      batchSize: 20,
      seed: 1,
      precision: f32,
      callbacks: { onStep: (info) => (monitor.onStep(info), layers.onStep(info), everyStep.onStep(info)) },
    });
    assert.equal(result.steps, 20);
    assert.deepEqual(
      monitor.records.map((r) => r.step),
      [1, 5, 10, 15, 20],
    );
    for (const r of monitor.records) {
      assert.ok(r.gTg > 0 && Number.isFinite(r.gHg) && Number.isFinite(r.actualChange), JSON.stringify(r));
      assert.ok(Math.abs(r.gradNorm ** 2 - r.gTg) <= 1e-6 * r.gTg);
    }
    assert.deepEqual(
      layers.records.map((r) => r.step),
      [5, 10, 15, 20],
    );
    assert.deepEqual(Object.keys(layers.records[0].norms), [
      "1.weight",
      "1.bias",
      "3.weight",
      "3.bias",
      "5.weight",
      "5.bias",
    ]);
    // One step per window: the whole gradient's norm is the root of the sum of the layers' squares.
    for (const r of everyStep.records) {
      const whole = Math.sqrt(Object.values(r.norms).reduce((s, v) => s + v * v, 0));
      assert.ok(r.total > 0 && Math.abs(r.total - whole) <= 1e-12 * whole, JSON.stringify(r));
    }
    // A window's entry is the mean of its steps.
    const mean = everyStep.records.slice(5, 10).reduce((s, r) => s + r.norms["1.weight"], 0) / 5;
    assert.ok(Math.abs(layers.records[1].norms["1.weight"] - mean) <= 1e-12 * mean);
    monitor.dispose();
    disposeTree([result.params, result.modelState, probe.x, probe.y]);
  });
});

describe("the Figure 8.1 verdict", () => {
  it("says the pattern is shown only when ‖g‖ grows while the error falls", () => {
    const rising = [1, 1.1, 1.3, 1.6, 2, 2.2, 2.5, 3];
    const falling = [0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.12, 0.1];
    assert.equal(figure81Verdict(rising, falling, { gradient: "‖g‖", error: "error" }).shown, true);
    assert.equal(figure81Verdict(falling, falling, { gradient: "‖g‖", error: "error" }).shown, false);
    assert.equal(figure81Verdict(rising, rising, { gradient: "‖g‖", error: "error" }).shown, false);
    const v = figure81Verdict(rising, falling, { gradient: "‖g‖", error: "error" }, [1, 2, 5, 10, 20, 30, 40, 50]);
    assert.ok(v.gHg && Math.abs(v.gHg.ratio - 45 / 1.5) < 1e-12, JSON.stringify(v.gHg));
    assert.match(v.text, /‖g‖: 1\.05 → 2\.75 .*pattern of Figure 8\.1.*gᵀHg/);
  });
});
