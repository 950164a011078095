import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { engine, numpy as np } from "../../src/index.js";

describe("engine.realize", () => {
  before(() => engine.startEngine());

  it("runs pending work and borrows the tree: values intact, still usable, same tree returned", () => {
    const a = np.array([1, 2, 3]).mul(2);
    const tree = { a, nested: [np.array([4]).add(1)] };
    assert.equal(engine.realize(tree), tree);
    assert.deepEqual(Array.from(tree.a.ref.dataSync()), [2, 4, 6]);
    assert.equal(tree.nested[0].ref.item(), 5);
    assert.equal(tree.a.refCount, 1);
    tree.a.dispose();
    tree.nested[0].dispose();
  });

  it("realizeAsync resolves to the same tree", async () => {
    const t = { x: np.array([1, 2]).add(1) };
    assert.equal(await engine.realizeAsync(t), t);
    assert.deepEqual(t.x.js(), [2, 3]);
  });
});
