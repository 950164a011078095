import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { random } from "../../src/engine/index.js";

const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((s, x) => s + x, 0) / xs.length;

describe("PRNG keys (host, counter-based)", () => {
  it("are deterministic by seed and differ between seeds, splits and folds", () => {
    assert.deepEqual(random.randomKey(7), random.randomKey(7));
    assert.notDeepEqual(random.randomKey(7), random.randomKey(8));
    const [a, b] = random.splitKey(random.randomKey(7));
    assert.notDeepEqual(a, b);
    assert.deepEqual(random.splitKey(random.randomKey(7)), [a, b]);
    assert.notDeepEqual(random.foldIn(a, 1), random.foldIn(a, 2));
    assert.deepEqual(random.uniform(a, 5), random.uniform(a, 5), "sampling never mutates a key");
    assert.throws(() => random.randomKey(1.5), /seed must be an integer, got 1.5/);
  });

  it("give uniform and normal samples with the right moments", () => {
    const key = random.randomKey(3);
    const u = random.uniform(key, 20_000);
    assert.ok(u.every((x) => x >= 0 && x < 1));
    assert.ok(Math.abs(mean(u) - 0.5) < 0.01);
    const z = random.normal(key, 20_001, 2, 3);
    assert.equal(z.length, 20_001);
    assert.ok(Math.abs(mean(z) - 2) < 0.1);
    const variance = mean(Array.from(z, (x) => (x - 2) ** 2));
    assert.ok(Math.abs(variance - 9) < 0.3, `variance ${variance}`);
    assert.ok(random.truncatedNormal(key, 1000, 0.5).every((x) => Math.abs(x) <= 1));
  });

  it("draw permutations and integers in range", () => {
    const key = random.randomKey(11);
    const perm = random.permutation(key, 100);
    assert.deepEqual(
      Array.from(perm).sort((a, b) => a - b),
      Array.from({ length: 100 }, (_, i) => i),
    );
    assert.notDeepEqual(
      Array.from(perm),
      Array.from({ length: 100 }, (_, i) => i),
    );
    const ints = random.randint(key, 1000, 7);
    assert.ok(ints.every((i) => i >= 0 && i < 7));
    assert.equal(new Set(ints).size, 7);
  });
});
