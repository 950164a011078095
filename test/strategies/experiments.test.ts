import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { disposeTree, precisionOf, startEngine } from "../../src/engine/index.js";
import {
  EXPERIMENTS,
  exceedsByTwoSe,
  fitSlope,
  pairedExceedsByTwoSe,
  rowOf,
  summarize,
} from "../../src/strategies/experiments/index.js";
import { rnnClipping } from "../../src/strategies/experiments/clippingRnn.js";
import { digits } from "../../src/strategies/experiments/digits.js";
import { mlp } from "../../src/nn/index.js";
import { book, polyakAveraging } from "../../src/optim/index.js";
import { train } from "../../src/train/index.js";

const precision = precisionOf("float32");

describe("experiment statistics", () => {
  it("summarizes, compares by two standard errors and fits slopes", () => {
    const s = summarize([1, 2, 3, 4]);
    assert.equal(s.mean, 2.5);
    assert.ok(Math.abs(s.std - Math.sqrt(5 / 3)) < 1e-12);
    assert.ok(Math.abs(s.se - Math.sqrt(5 / 3) / 2) < 1e-12);
    assert.equal(exceedsByTwoSe([10, 11, 12], [1, 2, 3]).holds, true);
    assert.equal(exceedsByTwoSe([1, 5, 9], [1, 4, 8]).holds, false);
    assert.equal(pairedExceedsByTwoSe([2.1, 3.1, 4.1], [2, 3, 4]).holds, true);
    const row = rowOf("a", { x: [1, 2, 6] });
    assert.deepEqual([row.x, row.xStd, row.perSeed], [3, Math.sqrt(7), { x: [1, 2, 6] }]);
    const exact = fitSlope([1, 2, 3, 4], [3, 2.5, 2, 1.5]);
    assert.ok(Math.abs(exact.slope + 0.5) < 1e-12 && exact.se < 1e-12);
  });
});

describe("every experiment runs in its smoke setting and reports a decided claim", () => {
  before(async () => startEngine());
  for (const experiment of Object.values(EXPERIMENTS)) {
    it(experiment.name, async () => {
      const outcome = await experiment.run({
        size: "smoke",
        seeds: [1],
        precision: precisionOf("float32"),
        log: () => {},
      });
      assert.ok(outcome.rows.length >= 2);
      for (const row of outcome.rows) {
        assert.equal(typeof row.variant, "string");
        for (const [k, v] of Object.entries(row))
          if (k !== "variant" && k !== "perSeed")
            assert.ok(typeof v === "number" && Number.isFinite(v), `${experiment.name}: ${row.variant}.${k} = ${v}`);
        // Every summarized metric keeps its one value per seed beside its mean.
        for (const [metric, values] of Object.entries(row.perSeed ?? {})) {
          assert.equal(values.length, 1, `${experiment.name}: ${row.variant}.perSeed.${metric}`);
          if (Number.isFinite(values[0])) assert.equal(values[0], row[metric]);
        }
      }
      assert.equal(typeof outcome.reproduced, "boolean");
      assert.match(outcome.verdict, /^rule: /);
      assert.ok(outcome.chart.rows.length > 0 && outcome.chart.series.length >= 2);
    });
  }

  it("clipping: clipped descent is never thrown off the cliff", async () => {
    const outcome = await EXPERIMENTS.clipping.run({
      size: "smoke",
      seeds: [1, 2, 3],
      precision: precisionOf("float32"),
      log: () => {},
    });
    const clipped = outcome.rows.find((r) => r.variant.startsWith("clip"))!;
    assert.equal(clipped.lostShare, 0);
    assert.equal(clipped.reachedShare, 1);
  });

  it("polyak: the one run per seed gives each average's test loss exactly as its own training run does", async () => {
    const outcome = await EXPERIMENTS.polyak.run({ size: "smoke", seeds: [3], precision, log: () => {} });
    const { train: trainSet, test } = digits("smoke");
    const alone = await train({
      model: mlp(10, { depth: 1, width: 16 }),
      train: trainSet,
      test,
      optimizer: polyakAveraging(book.sgd(0.2), { kind: "uniform" }),
      epochs: 1,
      batchSize: 16,
      seed: 3,
      precision,
    });
    const uniform = outcome.rows.find((r) => r.variant === "uniform average")!;
    assert.equal(uniform.testLoss, alone.test!.loss);
    disposeTree([alone.params, alone.modelState]);
    disposeTree(alone.averagedParams);
  });

  it("clipping: on the RNN's exploding gradient, SGD is thrown off and clipped SGD is not", async () => {
    // Seed 2 of the quick setting meets a gradient of norm > 1e3 in its first epoch.
    const outcome = await rnnClipping("quick", [2], precisionOf("float32"), () => {});
    const [plain, clipped] = outcome.rows;
    assert.deepEqual([plain.thrownOffShare, clipped.thrownOffShare], [1, 0]);
    assert.ok((plain.maxGradNorm as number) > 1e3, `max ‖g‖ ${plain.maxGradNorm}`);
    // The clipped run meets gradients above the threshold too: clipping, not luck, kept it on course.
    assert.ok((clipped.maxGradNorm as number) > 1 && (clipped.testMse as number) < 0.3);
  });
});
