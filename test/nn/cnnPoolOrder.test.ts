/**
 * The ReLU CNN pools before its ReLU (src/nn/models.ts): max-pooling and ReLU commute, and with ReLU's
 * derivative 0 at 0 the gradients agree too, ties included. Checked exactly in float64 against the
 * same parameters run as conv → ReLU → pool, on inputs with exact zeros (ties at 0 in the windows).
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { grad, type numpy as np } from "@jax-js/jax";
import { disposeTree, random, refTree, startEngine, toDevice, type Tree } from "../../src/engine/index.js";
import { cnn, conv2d, flatten, linear, maxPool2d, relu, sequential, tanh, type Layer } from "../../src/nn/index.js";
import { F64, hostTree, randn } from "./helpers.js";

before(async () => {
  await startEngine();
});

/** Values of y and of the gradient of Σ y ⊙ w with respect to the parameters, by path. */
function run(model: Layer, params: Tree, x: np.Array, w: np.Array) {
  const forward = (p: Tree) => model.apply(p, [], x.ref, { train: true })[0];
  const y = hostTree({ y: forward(refTree(params)) });
  const g = hostTree(grad((p: Tree) => forward(p).mul(w.ref).sum())(refTree(params)) as Tree);
  return { y, g };
}

test("the ReLU CNN equals conv → ReLU → pool exactly, in values and gradients, with ties at zero", () => {
  const model = cnn(3, { width: 2 });
  const reluFirst = sequential(
    conv2d(2, { kernel: 3, padding: 1 }),
    relu(),
    maxPool2d(2),
    conv2d(4, { kernel: 3, padding: 1 }),
    relu(),
    maxPool2d(2),
    flatten(),
    linear(3),
  );
  const init = model.init(random.randomKey(3), [8, 8, 1], F64);
  // Half of each image is exactly zero: with zero biases those conv outputs tie at 0 in their windows.
  const xs = randn(4, [5, 8, 8, 1]).data.map((v, i) => (Math.floor(i / 4) % 2 === 0 ? 0 : v));
  const x = toDevice(xs, [5, 8, 8, 1], F64);
  const w = toDevice(randn(5, [5, 3]).data, [5, 3], F64);
  const got = run(model, init.params, x, w);
  const want = run(reluFirst, init.params, x, w);
  assert.deepEqual(got.y, want.y);
  assert.deepEqual(got.g, want.g);
  // The check is not vacuous: some gradients are non-zero, and some pooled outputs are exactly 0.
  assert.ok([...got.g.values()].some((h) => h.data.some((v) => v !== 0)));
  disposeTree([init.params, init.state, x, w]);
});

test("other activations keep activation → pool (the order is only changed where it is exact)", () => {
  const kinds = (m: Layer) => (m as unknown as { layers: Layer[] }).layers.map((l) => l.kind);
  assert.deepEqual(kinds(cnn(10)).slice(0, 3), ["conv2d", "maxPool2d", "relu"]);
  assert.deepEqual(kinds(cnn(10, { activation: "tanh" })).slice(0, 3), ["conv2d", tanh().kind, "maxPool2d"]);
});
