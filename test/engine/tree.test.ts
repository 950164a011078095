import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { numpy as np } from "@jax-js/jax";
import {
  countParameters,
  disposeTree,
  flattenTree,
  layoutOfShapes,
  layoutOfTree,
  leavesWithPaths,
  mapWithPaths,
  precisionOf,
  splitFlat,
  startEngine,
  toDevice,
  treeFromHost,
  treeToHost,
  unflattenArray,
  unflattenTree,
  type Tree,
} from "../../src/engine/index.js";

const F64 = precisionOf("float64");
const tree = (): Tree => ({
  layers: [{ weight: toDevice([1, 2, 3, 4, 5, 6], [2, 3], F64), bias: toDevice([7, 8], [2], F64) }],
  scale: toDevice([9], [], F64),
});

describe("pytree helpers", () => {
  before(() => startEngine());

  it("name leaves by dotted paths in a stable order and count them", () => {
    const t = tree();
    assert.deepEqual(
      leavesWithPaths(t).map((l) => l.path),
      ["layers.0.weight", "layers.0.bias", "scale"],
    );
    assert.equal(countParameters(t), 9);
    const doubled = mapWithPaths(t, (_p, leaf) => leaf.ref.mul(2));
    assert.deepEqual(Array.from(flattenTree(doubled)), [2, 4, 6, 8, 10, 12, 14, 16, 18]);
    disposeTree(doubled);
    disposeTree(t);
  });

  it("flatten and unflatten on the host, round trip and layout", () => {
    const t = tree();
    const flat = flattenTree(t);
    assert.deepEqual(Array.from(flat), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const layout = layoutOfTree(t);
    assert.deepEqual(layout.offsets, [0, 6, 8]);
    assert.deepEqual(layout.sizes, [6, 2, 1]);
    assert.equal(layout.size, 9);
    const back = unflattenTree(
      t,
      flat.map((v) => -v),
      F64,
    );
    assert.deepEqual(Array.from(flattenTree(back)), [-1, -2, -3, -4, -5, -6, -7, -8, -9]);
    assert.deepEqual((back as { layers: { weight: np.Array }[] }).layers[0].weight.shape, [2, 3]);
    assert.throws(
      () => unflattenTree(t, [1, 2], F64),
      /a flat vector of 2 entries does not fit a tree of 9 parameters/,
    );
    disposeTree(back);
    disposeTree(t);
  });

  it("split a flat device vector into shaped pieces (the device-side unflatten)", () => {
    const t = tree();
    const theta = toDevice([0, 1, 2, 3, 4, 5, 6, 7, 8], [9], F64);
    const sliced = unflattenArray(t, theta);
    assert.deepEqual(Array.from(flattenTree(sliced)), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(
      leavesWithPaths(sliced).map((l) => l.leaf.shape),
      [[2, 3], [2], []],
    );
    const parts = splitFlat(toDevice([1, 2, 3], [3], F64), layoutOfShapes([[1], [2]]));
    assert.deepEqual(
      parts.map((p) => Array.from(p.dataSync())),
      [[1], [2, 3]],
    );
    disposeTree(sliced);
    disposeTree(t);
  });

  it("copy to the host and back, naming missing or misshapen tensors", () => {
    const t = tree();
    const host = treeToHost(t);
    assert.deepEqual(host.get("layers.0.bias"), { shape: [2], data: Float64Array.from([7, 8]) });
    const back = treeFromHost(t, host, F64);
    assert.deepEqual(Array.from(flattenTree(back)), Array.from(flattenTree(t)));
    host.delete("scale");
    assert.throws(() => treeFromHost(t, host, F64), /missing tensor "scale"/);
    host.set("scale", { shape: [2], data: Float64Array.from([1, 2]) });
    assert.throws(() => treeFromHost(t, host, F64), /tensor "scale" has shape \[2\] but \[\] was expected/);
    disposeTree(back);
    disposeTree(t);
  });
});
