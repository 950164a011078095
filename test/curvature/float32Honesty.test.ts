import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { disposeTree, precisionOf, random, startEngine } from "../../src/engine/index.js";
import { linearRegression } from "../../src/data/index.js";
import { mlp } from "../../src/nn/index.js";
import { compileIllConditioningProbe, deviceBatch, modelLoss } from "../../src/curvature/index.js";

describe("the monitor says when float32 cannot measure the actual change f(θ − εg) − f(θ)", () => {
  before(() => startEngine());

  it(
    "flags |Δf| < 1e-3·|f| in float32 (cancellation), never in float64; the float64 change matches the prediction " +
      "there",
    () => {
      const { dataset } = linearRegression({ count: 40, dim: 5, conditionNumber: 50, key: random.randomKey(1) });
      const model = mlp(1, { depth: 0 });
      const loss = modelLoss(model, false);
      const reliability: Record<string, boolean[]> = {};
      for (const name of ["float32", "float64"] as const) {
        const precision = precisionOf(name);
        const init = model.init(random.randomKey(2), dataset.xShape, precision);
        const { x, y } = deviceBatch(
          dataset,
          Array.from({ length: 40 }, (_, i) => i),
          precision,
        );
        const probe = compileIllConditioningProbe(loss, precision);
        const records = [1e-2, 1e-7].map((lr) => probe.run(init.params, lr, init.state, x, y));
        reliability[name] = records.map((r) => r.actualChangeReliable);
        if (name === "float64") {
          const tiny = records[1];
          assert.ok(
            Math.abs(tiny.actualChange - tiny.predictedChange) <= 1e-6 * Math.abs(tiny.predictedChange),
            `${tiny.actualChange} vs ${tiny.predictedChange}`,
          );
        }
        probe.dispose();
        disposeTree([init.params, init.state, x, y]);
      }
      assert.deepEqual(reliability, { float32: [true, false], float64: [true, true] });
    },
  );
});
