/** Data-driven initialization of 8.4 (src/nn/datainit.ts), float64 on `cpu`. */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { nn as jnn } from "@jax-js/jax";
import { disposeTree, leavesWithPaths, refTree, startEngine, toDevice, type Tree } from "../../src/engine/index.js";
import {
  batchNorm,
  conv2d,
  flatten,
  linear,
  maxout,
  maxPool2d,
  mlp,
  normalInit,
  outputBiasFromTargets,
  relu,
  scaleToUnitActivations,
  sequential,
  setOutputBias,
  softplus,
  tanh,
  type Layer,
} from "../../src/nn/index.js";
import { assertClose, assertRefCounts, dev, F64, host, hostTree, initWith, randn } from "./helpers.js";

before(async () => {
  await startEngine();
});

const SCALABLE = new Set(["linear", "conv2d", "maxout"]);

/**
 * Std (population, over every element) of each linear/conv2d/maxout
 * output, by layer path, walking the model independently.
 */
function outputStds(
  model: Layer,
  params: Tree,
  state: Tree,
  x: Tree,
  path = "",
): { stds: Map<string, number>; y: Tree } {
  const stds = new Map<string, number>();
  const walk = (layer: Layer, p: Tree, s: Tree, h: Tree, at: string): Tree => {
    const inner = (layer as Layer & { layers?: Layer[] }).layers;
    if (inner) {
      inner.forEach((l, i) => (h = walk(l, (p as Tree[])[i], (s as Tree[])[i], h, at ? `${at}.${i}` : String(i))));
      return h;
    }
    const [y, newState] = layer.apply(refTree(p), refTree(s), h as never, { train: true });
    disposeTree(newState);
    if (SCALABLE.has(layer.kind)) {
      const d = host(y).data;
      const mean = d.reduce((a, b) => a + b, 0) / d.length;
      stds.set(at, Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length));
    }
    return y;
  };
  const y = walk(model, params, state, refTree(x), path);
  return { stds, y };
}

function checkUnitStd(
  t: { diagnostic(m: string): void },
  model: Layer,
  inputShape: number[],
  batch: number,
  expectLayers: string[],
) {
  const init = initWith(model, inputShape);
  const x = dev(randn(5, [batch, ...inputShape], 3, 0.5));
  const before = hostTree(init.params);
  const reported = new Map<string, number>();
  const scaled = scaleToUnitActivations(model, init.params, init.state, x, F64, {
    onLayer: (p, s) => reported.set(p, s),
  });

  // Borrowed: the originals are intact and still singly owned; x and state too.
  assert.deepEqual(hostTree(init.params), before, "original params unchanged");
  assertRefCounts(x, 1, "xBatch");
  assertRefCounts(init.state, 1, "state");
  assert.deepEqual([...reported.keys()], expectLayers, "rescaled layers");

  const after = outputStds(model, scaled, init.state, x);
  disposeTree(after.y);
  assert.deepEqual([...after.stds.keys()], expectLayers);
  for (const [path, std] of after.stds)
    assert.ok(Math.abs(std - 1) < 1e-3, `layer ${path}: output std ${std} after scaling (was ${reported.get(path)})`);
  const worst = Math.max(...[...after.stds.values()].map((s) => Math.abs(s - 1)));
  t.diagnostic(
    `stds before: ${[...reported].map(([p, s]) => `${p}: ${s.toPrecision(4)}`).join(", ")}; max |std − 1| after: ` +
      `${worst.toExponential(2)}`,
  );

  // The first rescaled layer's weight is the original divided by its reported output std.
  const first = expectLayers[0];
  const newHost = hostTree(scaled);
  const w0 = before.get(`${first}.weight`)!;
  assertClose(
    newHost.get(`${first}.weight`)!.data,
    w0.data.map((v) => v / reported.get(first)!),
    1e-15,
    "first weight",
  );

  // Untouched leaves are shared by reference; disposing the result leaves the originals singly owned.
  for (const { path, leaf } of leavesWithPaths(init.params)) {
    const rescaled = expectLayers.some((l) => path === `${l}.weight` || path === `${l}.bias`);
    assert.equal(leaf.refCount, rescaled ? 1 : 2, `${path} references`);
  }
  disposeTree(scaled);
  assertRefCounts(init.params, 1, "params after disposing the result");
  disposeTree([init.params, init.state, x]);
  return reported;
}

describe("scaleToUnitActivations (LSUV-style data-driven init)", () => {
  test(
    "MLP with badly scaled layers, a nested sequential, batch norm and maxout: every affine output has std " + "1",
    (t) => {
      const model = sequential(
        flatten(),
        linear(8, { init: normalInit(3), bias: 0.5 }),
        relu(),
        linear(6, { init: normalInit(0.01) }),
        batchNorm(),
        tanh(),
        sequential(linear(5, { init: normalInit(2) }), softplus()),
        maxout(3, 2, { init: normalInit(0.1) }),
        linear(4),
      );
      const stds = checkUnitStd(t, model, [2, 3], 32, ["1", "3", "6.0", "7", "8"]);
      assert.ok(stds.get("1")! > 5 && stds.get("3")! < 0.5, "the layers really were badly scaled");
    },
  );

  test("CNN: conv → relu → maxPool → conv (stride 2) → flatten → linear", (t) => {
    const model = sequential(
      conv2d(3, { kernel: 3, padding: 1, init: normalInit(1) }),
      relu(),
      maxPool2d(2),
      conv2d(4, { kernel: 2, stride: 2, init: normalInit(0.05) }),
      flatten(),
      linear(3),
    );
    checkUnitStd(t, model, [5, 5, 2], 4, ["0", "3", "5"]);
  });

  test("a layer with constant output cannot be rescaled: clear error", () => {
    const model = sequential(linear(3, { init: () => new Float64Array(6) }));
    const init = initWith(model, [2]);
    const x = dev(randn(1, [4, 2]));
    assert.throws(
      () => scaleToUnitActivations(model, init.params, init.state, x, F64),
      /layer 0 \(linear\) has output standard deviation 0/,
    );
    assertRefCounts(x, 1, "xBatch after the error");
    disposeTree([init.params, init.state, x]);
  });
});

describe("output bias from the marginal class statistics", () => {
  const softmax = (b: Float64Array) => {
    const m = Math.max(...b);
    const e = b.map((v) => Math.exp(v - m));
    const z = e.reduce((a, c) => a + c, 0);
    return e.map((v) => v / z);
  };

  test("softmax(bias) equals the class frequencies (smoothed), and empty classes stay finite", () => {
    const labels = Int32Array.of(0, 0, 1, 2, 2, 2, 2, 0, 1, 2);
    const counts = [3, 2, 5, 0];
    const exact = outputBiasFromTargets(labels, 4, 0);
    assert.equal(exact[3], -Infinity, "no smoothing: an empty class has probability 0");
    assertClose(
      softmax(exact),
      Float64Array.from(counts, (c) => c / 10),
      1e-15,
      "unsmoothed",
    );
    const smoothed = outputBiasFromTargets(labels, 4);
    assert.ok(smoothed.every(Number.isFinite));
    assertClose(
      softmax(smoothed),
      Float64Array.from(counts, (c) => (c + 0.5) / (10 + 2)),
      1e-15,
      "smoothed",
    );
    // On the device too, through jax-js's softmax.
    const p = host(jnn.softmax(toDevice(smoothed, [4], F64)));
    assertClose(
      p.data,
      Float64Array.from(counts, (c) => (c + 0.5) / 12),
      1e-15,
      "jax-js softmax",
    );
  });

  test("rejects labels outside [0, numClasses)", () => {
    assert.throws(() => outputBiasFromTargets([0, 3], 3), /label 3 at index 1/);
    assert.throws(() => outputBiasFromTargets([0, 1.5], 3), /label 1.5/);
  });

  test("setOutputBias replaces the last layer's bias (through a nested sequential) and shares the rest", () => {
    const model = sequential(flatten(), linear(5), relu(), sequential(linear(4), tanh(), linear(3)));
    const init = initWith(model, [2, 2]);
    const bias = outputBiasFromTargets([0, 1, 1, 2, 2, 2], 3);
    const next = setOutputBias(model, init.params, bias);
    const h = hostTree(next);
    assert.deepEqual(Array.from(h.get("3.2.bias")!.data), Array.from(bias));
    assert.deepEqual(h.get("3.2.bias")!.shape, [3]);
    const old = hostTree(init.params);
    for (const [path, t] of old) if (path !== "3.2.bias") assert.deepEqual(h.get(path), t, path);
    assert.deepEqual(Array.from(old.get("3.2.bias")!.data), [0, 0, 0], "the original is untouched");
    // With a zero last weight the model predicts the marginals for any input.
    const zeroed = initWith(model, [2, 2], { params: { "3.2.weight": new Float64Array(12) } });
    const withBias = setOutputBias(model, zeroed.params, bias);
    const x = dev(randn(3, [2, 2, 2]));
    const [logits, s] = model.apply(withBias, refTree(zeroed.state), x, { train: false });
    disposeTree(s);
    const probs = host(jnn.softmax(logits, -1)).data;
    const freq = [1.5 / 7.5, 2.5 / 7.5, 3.5 / 7.5];
    assertClose(probs, Float64Array.from([...freq, ...freq]), 1e-15, "predicted marginals");
    disposeTree(next);
    assertRefCounts(init.params, 1, "params after disposing the result");
    disposeTree([init.params, init.state, zeroed.params, zeroed.state]);
  });

  test("setOutputBias errors: no bias, wrong size", () => {
    for (const [model, pattern] of [
      [sequential(linear(3, { bias: false })), /has no bias/],
      [sequential(linear(3), relu()), /\(relu\) has no bias/],
      [sequential(linear(4)), /has 4 biases but 3 values/],
    ] as const) {
      const init = initWith(model, [2]);
      assert.throws(() => setOutputBias(model, init.params, [0, 0, 0]), pattern);
      disposeTree([init.params, init.state]);
    }
  });
});

describe("ReLU hidden bias 0.1 (8.4)", () => {
  test("mlp({ hiddenBias: 0.1 }) starts hidden biases at 0.1 and the output bias at 0", () => {
    const model = mlp(3, { width: 6, depth: 2, hiddenBias: 0.1 });
    const init = initWith(model, [4]);
    const h = hostTree(init.params);
    for (const path of ["1.bias", "3.bias"])
      assert.ok(
        h.get(path)!.data.every((v) => v === 0.1),
        path,
      );
    assert.ok(
      h.get("5.bias")!.data.every((v) => v === 0),
      "output bias",
    );
    disposeTree([init.params, init.state]);
  });
});
