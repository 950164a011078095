import assert from "node:assert/strict";
import { before, test } from "node:test";
import { modelLoss, weightedBatches, disposeBatches } from "../../src/curvature/modelLoss.js";
import { networkCurvature } from "../../src/curvature/networkPoint.js";
import { treeLossHessian } from "../../src/curvature/treeOperator.js";
import { twoSpirals } from "../../src/data/synthetic.js";
import { disposeTree, precisionOf, random, startEngine } from "../../src/engine/index.js";
import { symmetricEigen } from "../../src/linalg/matrix.js";
import { mlp } from "../../src/nn/index.js";

before(() => startEngine());

test("networkCurvature: Lanczos's top eigenvalues equal the dense Hessian's; gᵀg, gᵀHg and the 8.2.1 flag", () => {
  const precision = precisionOf("float64");
  const model = mlp(2, { width: 4, depth: 1, activation: "tanh" });
  const data = twoSpirals({ count: 40, key: 7 });
  const { params, state } = model.init(random.randomKey(2), [2], precision);
  try {
    const c = networkCurvature(model, params, state, data, precision, { lr: 0.1, top: 2, seed: 5 });
    // The dense 22×22 Hessian, column by column from the same HVPs, then Jacobi.
    const batches = weightedBatches(data, state, precision);
    const op = treeLossHessian(modelLoss(model, true), params, batches, precision);
    const n = op.dim;
    const dense = new Float64Array(n * n);
    for (let j = 0; j < n; j++) {
      const e = new Float64Array(n);
      e[j] = 1;
      op.apply(e).forEach((v, i) => (dense[i * n + j] = v));
    }
    const [loss, g] = op.valueAndGradient();
    op.dispose();
    disposeBatches(batches);
    const values = Array.from(symmetricEigen(dense, n).values).sort((a, b) => b - a);
    assert.equal(n, 2 * 4 + 4 + 4 * 2 + 2);
    for (let k = 0; k < 2; k++)
      assert.ok(
        Math.abs(c.top[k].value - values[k]) < 1e-10 * Math.abs(values[0]),
        `λ${k} ${c.top[k].value} vs ${values[k]}`,
      );
    assert.equal(c.loss, loss);
    const gTg = g.reduce((s, v) => s + v * v, 0);
    assert.ok(Math.abs(c.gTg - gTg) <= 1e-14 * gTg);
    const gHg = g.reduce((s, gi, i) => s + gi * g.reduce((t, gj, j) => t + dense[i * n + j] * gj, 0), 0);
    assert.ok(Math.abs(c.gHg - gHg) <= 1e-10 * Math.abs(gHg), `${c.gHg} vs ${gHg}`);
    assert.equal(c.illConditioned, 0.5 * 0.01 * gHg > 0.1 * gTg);
    // At a rate past 2gᵀg/gᵀHg the flag must be raised.
    const big = networkCurvature(model, params, state, data, precision, { lr: (4 * gTg) / gHg, top: 1, seed: 5 });
    assert.equal(big.illConditioned, gHg > 0);
  } finally {
    disposeTree(params);
    disposeTree(state);
  }
});
