import { test } from "node:test";
import assert from "node:assert/strict";
import { loadMnistDigits, mnistSplit, parseDatasetSpec } from "../../src/data/index.js";

test("loadMnistDigits: 10 000 examples, per-digit counts, ordered by digit, pixels in [0, 1]", () => {
  const d = loadMnistDigits();
  assert.equal(d.size, 10000);
  assert.deepEqual(d.xShape, [28, 28, 1]);
  assert.deepEqual(d.yShape, []);
  assert.equal(d.numClasses, 10);
  assert.equal(d.x.length, 10000 * 784);
  assert.equal(d.y.length, 10000);
  const counts = new Array(10).fill(0);
  for (let i = 0; i < d.size; i++) {
    counts[d.y[i]]++;
    if (i > 0) assert.ok(d.y[i] >= d.y[i - 1], "ordered by digit");
  }
  assert.deepEqual(counts, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of d.x) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  assert.equal(min, 0);
  assert.equal(max, 1);
  const mean = sum / d.x.length;
  assert.ok(mean > 0.08 && mean < 0.2, `mean pixel ${mean} looks like MNIST's ~0.13`);
});

test("loadMnistDigits returns copies: mutating one result does not affect the next", () => {
  const a = loadMnistDigits();
  a.x.fill(7);
  a.y.fill(7);
  const b = loadMnistDigits();
  assert.equal(b.y[0], 0);
  assert.ok(b.x.every((v) => v <= 1));
});

test("mnistSplit: 8000/2000, disjoint, same for a seed, different for another", () => {
  const all = loadMnistDigits();
  // A 53-bit fingerprint of an image's pixel bits (two FNV-style lanes), cheaper than joining strings.
  const key = (x: Float32Array, i: number) => {
    const bits = new Uint32Array(x.buffer, x.byteOffset + i * 784 * 4, 784);
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    for (const b of bits) (h1 = Math.imul(h1 ^ b, 0x01000193)), (h2 = Math.imul(h2 + b, 0x85ebca6b) ^ (h2 >>> 15));
    return (h1 >>> 0) * 2 ** 21 + ((h2 >>> 0) & 0x1fffff);
  };
  const a = mnistSplit(0);
  assert.equal(a.train.size, 8000);
  assert.equal(a.test.size, 2000);
  assert.equal(a.train.x.length, 8000 * 784);
  assert.deepEqual(a.train.xShape, [28, 28, 1]);
  assert.equal(a.train.numClasses, 10);

  // Identify examples by their pixels: train ∪ test is the whole set, with no overlap.
  const ids = new Map<number, number>();
  for (let i = 0; i < all.size; i++) ids.set(key(all.x, i), (ids.get(key(all.x, i)) ?? 0) + 1);
  const seen = new Map<number, number>();
  for (const part of [a.train, a.test])
    for (let i = 0; i < part.size; i++) seen.set(key(part.x, i), (seen.get(key(part.x, i)) ?? 0) + 1);
  assert.deepEqual([...seen.entries()].sort(), [...ids.entries()].sort());

  const b = mnistSplit(0);
  assert.deepEqual(b.train.y, a.train.y);
  assert.deepEqual(b.test.x, a.test.x);
  assert.deepEqual(parseDatasetSpec("mnist", 0).test.y, a.test.y);
  const c = mnistSplit(1);
  assert.notDeepEqual(c.train.y, a.train.y);
  // The test set is a random sample: every digit appears, roughly in proportion.
  const testCounts = new Array(10).fill(0);
  for (const y of a.test.y) testCounts[y]++;
  assert.ok(
    testCounts.every((n) => n > 120 && n < 300),
    `test counts ${testCounts}`,
  );
});
