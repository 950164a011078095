/** Empirical checks of the weight initializers of section 8.4 (src/nn/init.ts; host-side, no device). */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { random } from "../../src/engine/index.js";
import {
  fans,
  glorotUniform,
  heNormal,
  initializerByName,
  initNames,
  normalInit,
  orthogonal,
  sparse,
  type Initializer,
} from "../../src/nn/index.js";

const key = random.randomKey(42);

function moments(w: Float64Array) {
  let mean = 0;
  for (const v of w) mean += v / w.length;
  let variance = 0;
  for (const v of w) variance += (v - mean) ** 2 / w.length;
  return { mean, variance };
}

/** Max |(MᵀM)_ij − c·δ_ij| for the rows×cols row-major M (columns' Gram matrix). */
function gramError(w: Float64Array, rows: number, cols: number, c: number): number {
  let worst = 0;
  for (let i = 0; i < cols; i++)
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += w[r * cols + i] * w[r * cols + j];
      worst = Math.max(worst, Math.abs(s - (i === j ? c : 0)));
    }
  return worst;
}

function transpose(w: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
  return t;
}

describe("initializers (8.4)", () => {
  test("fans: a [..., units] weight is a fanIn × units matrix; conv fanOut counts the receptive field", () => {
    assert.deepEqual(fans([784, 256]), { fanIn: 784, fanOut: 256, receptive: 1 });
    assert.deepEqual(fans([3, 3, 16, 32]), { fanIn: 144, fanOut: 288, receptive: 9 });
  });

  test("Glorot: every |w| <= √6/√(m+n), variance ≈ 2/(m+n), mean ≈ 0", () => {
    for (const shape of [
      [300, 200],
      [3, 3, 32, 64],
    ]) {
      const { fanIn, fanOut } = fans(shape);
      const w = glorotUniform(key, shape);
      const limit = Math.sqrt(6) / Math.sqrt(fanIn + fanOut);
      assert.ok(
        w.every((v) => Math.abs(v) <= limit),
        "within the bound",
      );
      assert.ok(
        w.some((v) => Math.abs(v) > 0.99 * limit),
        "and fills it",
      );
      const { mean, variance } = moments(w);
      // Relative standard error of the sample variance of a uniform: √(0.8/N) < 0.4% here.
      assert.ok(
        Math.abs(variance / (2 / (fanIn + fanOut)) - 1) < 0.03,
        `variance ${variance} vs ${2 / (fanIn + fanOut)}`,
      );
      assert.ok(Math.abs(mean) < 0.02 * limit, `mean ${mean}`);
    }
  });

  test("He: variance ≈ 2/fanIn", () => {
    for (const shape of [
      [400, 300],
      [3, 3, 64, 64],
    ]) {
      const { fanIn } = fans(shape);
      const { mean, variance } = moments(heNormal(key, shape));
      assert.ok(Math.abs(variance / (2 / fanIn) - 1) < 0.03, `variance ${variance} vs ${2 / fanIn}`);
      assert.ok(Math.abs(mean) < 0.02 * Math.sqrt(2 / fanIn), `mean ${mean}`);
    }
  });

  test("normal(std) has that standard deviation", () => {
    const { variance } = moments(normalInit(0.01)(key, [200, 200]));
    assert.ok(Math.abs(Math.sqrt(variance) / 0.01 - 1) < 0.02);
  });

  test("orthogonal: WᵀW = g²I when tall (or square), WWᵀ = g²I when wide, to 1e-10", () => {
    for (const gain of [1, 1.5]) {
      const tall = orthogonal(gain)(key, [50, 20]);
      assert.ok(gramError(tall, 50, 20, gain * gain) < 1e-10, "tall WᵀW");
      const wide = orthogonal(gain)(key, [20, 50]);
      assert.ok(gramError(transpose(wide, 20, 50), 50, 20, gain * gain) < 1e-10, "wide WWᵀ");
      const square = orthogonal(gain)(key, [30, 30]);
      assert.ok(gramError(square, 30, 30, gain * gain) < 1e-10, "square WᵀW");
      assert.ok(gramError(transpose(square, 30, 30), 30, 30, gain * gain) < 1e-10, "square WWᵀ");
      // A conv weight [3, 3, 4, 8] is the 36 × 8 matrix [fanIn, units].
      const conv = orthogonal(gain)(key, [3, 3, 4, 8]);
      assert.ok(gramError(conv, 36, 8, gain * gain) < 1e-10, "conv WᵀW");
    }
  });

  test("sparse: exactly k non-zero incoming weights per unit (column), spread over different rows", () => {
    const [fanIn, units, k] = [100, 30, 15];
    const w = sparse(k)(key, [fanIn, units]);
    const rowsOf = (u: number) => Array.from({ length: fanIn }, (_, r) => r).filter((r) => w[r * units + u] !== 0);
    for (let u = 0; u < units; u++) assert.equal(rowsOf(u).length, k, `unit ${u}`);
    assert.notDeepEqual(rowsOf(0), rowsOf(1), "units pick their own rows");
    const nonZero = w.filter((v) => v !== 0);
    const { variance } = moments(nonZero);
    assert.ok(Math.abs(variance - 1) < 0.2, `non-zero variance ${variance}`);
    // Conv: per output channel, k of the kh·kw·cin inputs.
    const conv = sparse(5)(key, [3, 3, 2, 4]);
    for (let u = 0; u < 4; u++)
      assert.equal(Array.from({ length: 18 }, (_, r) => conv[r * 4 + u]).filter((v) => v !== 0).length, 5);
    assert.throws(() => sparse(20)(key, [10, 3]), /k <= fan-in/);
    // By name: k = min(15, fanIn).
    const small = initializerByName("sparse")(key, [8, 3]);
    assert.equal(small.filter((v) => v !== 0).length, 8 * 3);
  });

  test("every initializer is deterministic in its key and changes with it", () => {
    const all: [string, Initializer][] = [
      ...initNames.map((n) => [n, initializerByName(n)] as [string, Initializer]),
      ["orthogonal(2)", orthogonal(2)],
    ];
    for (const [name, init] of all) {
      const a = init(random.randomKey(7), [40, 16]);
      const b = init(random.randomKey(7), [40, 16]);
      const c = init(random.randomKey(8), [40, 16]);
      assert.deepEqual(a, b, `${name}: same key, same weights`);
      assert.notDeepEqual(a, c, `${name}: another key, other weights`);
      assert.equal(a.length, 40 * 16);
      assert.ok(a.every(Number.isFinite), `${name}: finite`);
    }
  });
});
