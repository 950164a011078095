import { test } from "node:test";
import assert from "node:assert/strict";
import { random } from "../../src/engine/index.js";
import { batchesPerEpoch, epochBatches, gatherBatch, oneHot, type Dataset } from "../../src/data/index.js";

const key = random.randomKey(42);
const flat = (batches: Int32Array[]) => batches.flatMap((b) => Array.from(b));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

test("without-replacement regimes cover every example once per epoch; last partial batch kept", () => {
  for (const regime of ["shuffle-once", "reshuffle"] as const) {
    const batches = epochBatches({ size: 103, batchSize: 10, regime, key, epoch: 2 });
    assert.equal(batches.length, 11);
    assert.deepEqual(
      batches.map((b) => b.length),
      [...new Array(10).fill(10), 3],
    );
    assert.deepEqual(
      flat(batches).sort((a, b) => a - b),
      range(103),
    );
    const dropped = epochBatches({ size: 103, batchSize: 10, regime, key, epoch: 2, dropLast: true });
    assert.equal(dropped.length, 10);
    assert.deepEqual(dropped, batches.slice(0, 10));
  }
  assert.equal(batchesPerEpoch(103, 10), 11);
  assert.equal(batchesPerEpoch(103, 10, true), 10);
  assert.deepEqual(epochBatches({ size: 0, batchSize: 4, regime: "reshuffle", key, epoch: 0 }), []);
});

test("shuffle-once: the same order every epoch (and not the identity)", () => {
  const e0 = epochBatches({ size: 50, batchSize: 8, regime: "shuffle-once", key, epoch: 0 });
  for (const epoch of [1, 5, 99])
    assert.deepEqual(epochBatches({ size: 50, batchSize: 8, regime: "shuffle-once", key, epoch }), e0);
  assert.notDeepEqual(flat(e0), range(50));
});

test("reshuffle: different across epochs, identical for the same (key, epoch)", () => {
  const orders = [0, 1, 2].map((epoch) =>
    flat(epochBatches({ size: 50, batchSize: 8, regime: "reshuffle", key, epoch })),
  );
  assert.notDeepEqual(orders[0], orders[1]);
  assert.notDeepEqual(orders[1], orders[2]);
  assert.deepEqual(flat(epochBatches({ size: 50, batchSize: 8, regime: "reshuffle", key, epoch: 1 })), orders[1]);
  assert.notDeepEqual(
    flat(epochBatches({ size: 50, batchSize: 8, regime: "reshuffle", key: random.randomKey(43), epoch: 1 })),
    orders[1],
  );
});

test("replacement: ceil(size/batch) batches of in-range indices, with repeats, per-epoch draws", () => {
  const size = 200;
  const batches = epochBatches({ size, batchSize: 32, regime: "replacement", key, epoch: 0 });
  assert.equal(batches.length, Math.ceil(size / 32));
  const all = flat(batches);
  assert.equal(all.length, size);
  assert.ok(all.every((i) => Number.isInteger(i) && i >= 0 && i < size));
  const distinct = new Set(all).size;
  // With replacement about 1 − 1/e ≈ 63% of examples are drawn in an epoch.
  assert.ok(distinct < size && distinct > 0.5 * size && distinct < 0.75 * size, `distinct ${distinct}`);
  assert.deepEqual(epochBatches({ size, batchSize: 32, regime: "replacement", key, epoch: 0 }), batches);
  assert.notDeepEqual(flat(epochBatches({ size, batchSize: 32, regime: "replacement", key, epoch: 1 })), all);
  // Over many epochs every index is about equally likely.
  const counts = new Array(10).fill(0);
  for (let epoch = 0; epoch < 400; epoch++)
    for (const i of flat(epochBatches({ size: 10, batchSize: 3, regime: "replacement", key, epoch }))) counts[i]++;
  assert.ok(
    counts.every((c) => c > 330 && c < 470),
    `counts ${counts}`,
  );
});

test("epochBatches rejects bad arguments", () => {
  assert.throws(
    () => epochBatches({ size: 10, batchSize: 0, regime: "reshuffle", key, epoch: 0 }),
    /batchSize must be a positive integer/,
  );
  assert.throws(
    () => epochBatches({ size: 10, batchSize: 2, regime: "reshuffle", key, epoch: -1 }),
    /epoch must be a non-negative integer/,
  );
  assert.throws(
    () => epochBatches({ size: 10, batchSize: 2, regime: "bogus" as never, key, epoch: 0 }),
    /Unknown sampling regime "bogus"/,
  );
});

test("gatherBatch copies the chosen rows; oneHot encodes class indices", () => {
  const data: Dataset = {
    name: "tiny",
    x: Float32Array.from(range(12)),
    xShape: [2, 2],
    y: Float32Array.from([0, 1, 2]),
    yShape: [],
    numClasses: 3,
    size: 3,
  };
  const { x, y } = gatherBatch(data, [2, 0, 2]);
  assert.deepEqual(Array.from(x), [8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11]);
  assert.deepEqual(Array.from(y), [2, 0, 2]);
  x[0] = -1;
  assert.equal(data.x[8], 8, "a copy, not a view");
  assert.throws(() => gatherBatch(data, [3]), /index 3 is outside dataset tiny of 3 examples/);
  assert.deepEqual(Array.from(oneHot(Float32Array.from([2, 0]), 3)), [0, 0, 1, 1, 0, 0]);
  assert.throws(() => oneHot(Float32Array.from([3]), 3), /label 3 at position 0 is not a class index below 3/);
});
