import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { disposeTree, leavesWithPaths, precisionOf, random, startEngine, type Tree } from "../../src/engine/index.js";
import { gradientNoise, modelLoss } from "../../src/curvature/index.js";
import { gaussianBlobs } from "../../src/data/index.js";
import { mlp } from "../../src/nn/index.js";

const F64 = precisionOf("float64");

/**
 * Per-example softmax cross-entropy gradients of z = xW + b, in plain JS float64 loops: ∂W = x ⊗ (p − y), ∂b = p − y.
 */
function perExampleGradients(
  x: Float32Array,
  labels: Float32Array,
  W: Float64Array,
  b: Float64Array,
  dim: number,
  classes: number,
): Float64Array[] {
  const out: Float64Array[] = [];
  for (let i = 0; i < labels.length; i++) {
    const z = Array.from(
      { length: classes },
      (_, c) =>
        b[c] + Array.from({ length: dim }, (_, k) => x[i * dim + k] * W[k * classes + c]).reduce((s, v) => s + v, 0),
    );
    const top = Math.max(...z);
    const e = z.map((v) => Math.exp(v - top));
    const total = e.reduce((s, v) => s + v, 0);
    const residual = e.map((v, c) => v / total - (c === labels[i] ? 1 : 0));
    const g = new Float64Array(dim * classes + classes);
    for (let k = 0; k < dim; k++) for (let c = 0; c < classes; c++) g[k * classes + c] = x[i * dim + k] * residual[c];
    for (let c = 0; c < classes; c++) g[dim * classes + c] = residual[c];
    out.push(g);
  }
  return out;
}

describe("gradient-noise probe in float64 (m = 150, a size that is not a power of two)", () => {
  before(() => startEngine());

  it("‖g‖ and σ match an independent float64 computation to 1e-12, and the full batch has no error", () => {
    const [dim, classes] = [4, 3];
    const data = gaussianBlobs({ count: 150, classes, dim, key: random.randomKey(3) });
    const model = mlp(classes, { depth: 0 });
    const init = model.init(random.randomKey(4), [dim], F64);
    const leaves = leavesWithPaths(init.params as Tree).map(({ leaf }) =>
      Float64Array.from(leaf.ref.dataSync() as ArrayLike<number>),
    );
    const [W, b] = leaves[0].length === dim * classes ? leaves : [leaves[1], leaves[0]];
    const grads = perExampleGradients(data.x, data.y, W, b, dim, classes);
    const mean = grads[0].map((_, j) => grads.reduce((s, g) => s + g[j], 0) / grads.length);
    const norm = Math.sqrt(mean.reduce((s, v) => s + v * v, 0));
    const sigma = Math.sqrt(
      grads.reduce((s, g) => s + g.reduce((t, v, j) => t + (v - mean[j]) ** 2, 0), 0) / grads.length,
    );
    try {
      const r = gradientNoise({
        loss: modelLoss(model, true),
        params: init.params,
        modelState: init.state,
        data,
        precision: F64,
        batchSizes: [150],
        draws: 1,
        varianceSamples: 150,
      });
      assert.ok(Math.abs(r.fullGradNorm - norm) <= 1e-12 * norm, `‖g‖ ${r.fullGradNorm} vs ${norm}`);
      assert.ok(Math.abs(r.sigma - sigma) <= 1e-12 * sigma, `σ ${r.sigma} vs ${sigma}`);
      assert.ok(r.rows[0].rmsError <= 1e-14 * norm, `full-batch error ${r.rows[0].rmsError}`);
    } finally {
      disposeTree([init.params, init.state]);
    }
  });
});
