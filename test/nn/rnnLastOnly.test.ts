import { before, it } from "node:test";
import assert from "node:assert/strict";
import { grad } from "@jax-js/jax";
import { precisionOf, random, refTree, startEngine, toDevice, treeToHost, type Tree } from "../../src/engine/index.js";
import { lastStep, rnn, sequential } from "../../src/nn/index.js";

before(() => startEngine());

it("rnn({lastOnly}) equals rnn + lastStep in value and gradient (float64)", () => {
  const precision = precisionOf("float64");
  const full = sequential(rnn(5), lastStep());
  const last = rnn(5, { lastOnly: true });
  const { params } = rnn(5).init(random.randomKey(0), [7, 3], precision);
  const x = toDevice(random.normal(random.randomKey(5), 2 * 21), [2, 7, 3], precision);
  const w = toDevice(random.normal(random.randomKey(6), 10), [2, 5], precision);
  const lossFull = (p: Tree) => full.apply([p, {}], [{}, {}], x.ref, { train: true })[0].mul(w.ref).sum();
  const lossLast = (p: Tree) => last.apply(p, {}, x.ref, { train: true })[0].mul(w.ref).sum();
  assert.equal(lossFull(refTree(params)).item(), lossLast(refTree(params)).item());
  const [gFull, gLast] = [
    treeToHost(grad(lossFull)(refTree(params)) as Tree),
    treeToHost(grad(lossLast)(refTree(params)) as Tree),
  ];
  for (const [path, t] of gFull) {
    const other = gLast.get(path)!.data;
    t.data.forEach((v, i) =>
      assert.ok(Math.abs(v - other[i]) <= 1e-14 * (1 + Math.abs(v)), `${path}[${i}]: ${v} vs ${other[i]}`),
    );
  }
  assert.deepEqual(last.init(random.randomKey(0), [7, 3], precision).outputShape, [5]);
});
