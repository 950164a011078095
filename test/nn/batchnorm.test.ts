/** Batch normalization (8.7.1): statistics, running averages and eval mode, float64 on `cpu`. */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { disposeTree, startEngine, type Tree } from "../../src/engine/index.js";
import { batchNorm, type Layer } from "../../src/nn/index.js";
import { assertClose, dev, forward, hostTree, initWith, randn, unitMoments, type Host } from "./helpers.js";

before(async () => {
  await startEngine();
});

/** Inputs whose units have very different means and scales: x = 3 + u·(0.5 + unit). */
function shifted(seed: number, shape: number[]): Host {
  const units = shape[shape.length - 1];
  const h = randn(seed, shape);
  return { shape, data: h.data.map((v, i) => 3 - (i % units) + v * (0.5 + (i % units))) };
}

const record = (m: Map<string, Host>) => ({ mean: m.get("mean")!.data, variance: m.get("variance")!.data });

/** One apply; returns the output and the new state on the host (params/state/x borrowed). */
function step(layer: Layer, params: Tree, state: Tree, x: Host, train: boolean) {
  const xd = dev(x);
  const out = forward(layer, params, state, xd, { train });
  xd.dispose();
  return { y: out.y, state: record(out.state) };
}

describe("batchNorm", () => {
  for (const [what, shape] of [
    ["dense [batch, features]", [16, 5]],
    ["per channel over NHWC conv features", [4, 3, 3, 3]],
  ] as const) {
    test(`training mode normalizes each unit to mean 0, variance σ²/(σ²+δ) ≈ 1 — ${what}`, () => {
      for (const delta of [1e-5, 0]) {
        const layer = batchNorm({ delta });
        const init = initWith(layer, shape.slice(1));
        const x = shifted(3, [...shape]);
        const { y } = step(layer, init.params, init.state, x, true);
        const { variance: inputVariance } = unitMoments(x);
        const { mean, variance } = unitMoments(y);
        for (let u = 0; u < mean.length; u++) {
          assert.ok(Math.abs(mean[u]) < 1e-13, `unit ${u} mean ${mean[u]}`);
          // (x − μ)/√(σ² + δ) has biased variance σ²/(σ² + δ): 1 − δ/(σ² + δ), exactly 1 when δ = 0.
          const expected = inputVariance[u] / (inputVariance[u] + delta);
          assert.ok(
            Math.abs(variance[u] - expected) < 1e-13,
            `unit ${u} variance ${variance[u]}, expected ${expected}`,
          );
          assert.ok(Math.abs(variance[u] - 1) <= delta / inputVariance[u] + 1e-13);
        }
        disposeTree([init.params, init.state]);
      }
    });
  }

  test("running averages move toward the batch statistics with momentum 0.1 (unbiased variance)", () => {
    for (const [momentum, layer] of [
      [0.1, batchNorm()],
      [0.3, batchNorm({ momentum: 0.3 })],
    ] as const) {
      const init = initWith(layer, [2, 2, 3]);
      let state: { mean: Float64Array; variance: Float64Array } = {
        mean: new Float64Array(3),
        variance: new Float64Array(3).fill(1),
      };
      let stateTree = init.state;
      for (let k = 0; k < 3; k++) {
        const x = shifted(10 + k, [5, 2, 2, 3]);
        const out = step(layer, init.params, stateTree, x, true);
        const { mean, variance, count } = unitMoments(x);
        const expected = {
          mean: state.mean.map((m, u) => (1 - momentum) * m + momentum * mean[u]),
          variance: state.variance.map((v, u) => (1 - momentum) * v + momentum * variance[u] * (count / (count - 1))),
        };
        assertClose(out.state.mean, expected.mean, 1e-13, `step ${k} mean`);
        assertClose(out.state.variance, expected.variance, 1e-13, `step ${k} variance`);
        disposeTree(stateTree);
        stateTree = initWith(layer, [2, 2, 3], { state: out.state }).state;
        state = out.state;
      }
      disposeTree([init.params, stateTree]);
    }
  });

  test(
    "eval mode normalizes with the running statistics, leaves them unchanged, and treats examples " + "independently",
    () => {
      const layer = batchNorm();
      const gamma = Float64Array.of(1.5, 0.5, -1, 2);
      const beta = Float64Array.of(0.1, -0.2, 0.3, 0);
      const init = initWith(layer, [4], { params: { gamma, beta } });
      // Train on two batches to get non-trivial running statistics.
      let stateTree = init.state;
      for (let k = 0; k < 2; k++) {
        const out = step(layer, init.params, stateTree, shifted(20 + k, [8, 4]), true);
        disposeTree(stateTree);
        stateTree = initWith(layer, [4], { state: out.state }).state;
      }
      const running = record(hostTree(stateTree));
      assert.ok(
        running.mean.some((m) => Math.abs(m) > 0.1),
        "running mean has moved",
      );

      const x = shifted(30, [6, 4]);
      const out = step(layer, init.params, stateTree, x, false);
      const expected = x.data.map(
        (v, i) => gamma[i % 4] * ((v - running.mean[i % 4]) / Math.sqrt(running.variance[i % 4] + 1e-5)) + beta[i % 4],
      );
      assertClose(out.y.data, expected, 1e-13, "eval output");
      assert.deepEqual(out.state, running, "eval mode does not touch the running averages");

      // A batch of one example gives that example's row of the batch output.
      for (const e of [0, 5]) {
        const single = step(
          layer,
          init.params,
          stateTree,
          { shape: [1, 4], data: x.data.slice(4 * e, 4 * e + 4) },
          false,
        );
        assert.deepEqual(single.y.shape, [1, 4]);
        assertClose(single.y.data, out.y.data.slice(4 * e, 4 * e + 4), 1e-15, `example ${e} alone`);
      }
      disposeTree([init.params, stateTree]);
    },
  );

  test("a single NHWC example can be evaluated in eval mode", () => {
    const layer = batchNorm();
    const init = initWith(layer, [3, 3, 2], {
      state: { mean: Float64Array.of(1, -1), variance: Float64Array.of(4, 0.25) },
    });
    const x = shifted(40, [1, 3, 3, 2]);
    const out = step(layer, init.params, init.state, x, false);
    const expected = x.data.map((v, i) =>
      i % 2 === 0 ? (v - 1) / Math.sqrt(4 + 1e-5) : (v + 1) / Math.sqrt(0.25 + 1e-5),
    );
    assertClose(out.y.data, expected, 1e-13, "single example");
    disposeTree([init.params, init.state]);
  });
});
