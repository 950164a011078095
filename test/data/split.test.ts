import { test } from "node:test";
import assert from "node:assert/strict";
import { random } from "../../src/engine/index.js";
import {
  applyNormalization,
  normalizationStats,
  standardize,
  validationSplit,
  type Dataset,
} from "../../src/data/index.js";

// Example i has inputs [i, 10·i + 3] and label i, so rows can be identified by their label.
function numbered(n: number): Dataset {
  const x = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) (x[2 * i] = i), (x[2 * i + 1] = 10 * i + 3);
  return {
    name: "numbered",
    x,
    xShape: [2],
    y: Float32Array.from({ length: n }, (_, i) => i),
    yShape: [],
    numClasses: n,
    size: n,
  };
}

test("validationSplit: sizes, disjoint cover, rows intact, deterministic by key", () => {
  const data = numbered(101);
  const { train, validation } = validationSplit(data, 0.2, random.randomKey(1));
  assert.equal(validation.size, 20);
  assert.equal(train.size, 81);
  assert.equal(train.name, "numbered/train");
  assert.equal(validation.name, "numbered/validation");
  const ids = [...train.y, ...validation.y].sort((a, b) => a - b);
  assert.deepEqual(
    ids,
    Array.from({ length: 101 }, (_, i) => i),
  );
  for (const part of [train, validation])
    for (let i = 0; i < part.size; i++) assert.equal(part.x[2 * i + 1], 10 * part.y[i] + 3);
  assert.deepEqual(validationSplit(data, 0.2, random.randomKey(1)).validation.y, validation.y);
  assert.notDeepEqual(validationSplit(data, 0.2, random.randomKey(2)).validation.y, validation.y);
  assert.equal(validationSplit(data, 0, random.randomKey(1)).validation.size, 0);
  for (const bad of [1, -0.1, 1.5, Number.NaN])
    assert.throws(() => validationSplit(data, bad, random.randomKey(1)), /fraction must be in \[0, 1\)/);
});

test("normalizationStats / applyNormalization: zero mean, unit std per feature; constant features only centred", () => {
  const data = numbered(50);
  const stats = normalizationStats(data);
  assert.ok(Math.abs(stats.mean[0] - 24.5) < 1e-9);
  assert.ok(Math.abs(stats.mean[1] - 248) < 1e-9);
  assert.ok(Math.abs(stats.std[1] / stats.std[0] - 10) < 1e-9);
  const z = applyNormalization(data, stats);
  assert.notEqual(z.x, data.x);
  assert.equal(data.x[1], 3, "input untouched");
  for (let f = 0; f < 2; f++) {
    let m = 0;
    let v = 0;
    for (let i = 0; i < 50; i++) m += z.x[2 * i + f] / 50;
    for (let i = 0; i < 50; i++) v += (z.x[2 * i + f] - m) ** 2 / 50;
    assert.ok(Math.abs(m) < 1e-6 && Math.abs(v - 1) < 1e-5);
  }
  const constant: Dataset = { ...data, x: new Float32Array(100).fill(4) };
  const cs = normalizationStats(constant);
  assert.deepEqual(Array.from(cs.std), [1, 1]);
  assert.ok(applyNormalization(constant, cs).x.every((v) => v === 0));
  assert.throws(
    () => applyNormalization({ ...data, xShape: [3], x: new Float32Array(150) }, stats),
    /statistics for 2 features but dataset numbered has 3/,
  );
  // standardize uses the training statistics for the test set too.
  const { train, test: held } = standardize(numbered(10), { ...numbered(10), x: numbered(10).x.map((v) => v + 1) });
  assert.ok(Math.abs(held.x[0] - train.x[0] - 1 / normalizationStats(numbered(10)).std[0]) < 1e-6);
});
