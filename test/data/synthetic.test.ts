import { test } from "node:test";
import assert from "node:assert/strict";
import { random } from "../../src/engine/index.js";
import {
  addingProblem,
  concentricCircles,
  gaussianBlobs,
  linearRegression,
  parseDatasetSpec,
  randomOrthogonal,
  twoSpirals,
  xorQuadrants,
} from "../../src/data/index.js";

// Eigenvalues of a symmetric n×n matrix (row-major) by cyclic Jacobi rotations.
function symmetricEigenvalues(m: Float64Array, n: number): number[] {
  const a = Float64Array.from(m);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off < 1e-24) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
  }
  return Array.from({ length: n }, (_, i) => a[i * n + i]).sort((u, v) => v - u);
}

test("symmetricEigenvalues (test helper) is right on a known matrix", () => {
  // [[2,1],[1,2]] has eigenvalues 3 and 1.
  const ev = symmetricEigenvalues(Float64Array.from([2, 1, 1, 2]), 2);
  assert.ok(Math.abs(ev[0] - 3) < 1e-12 && Math.abs(ev[1] - 1) < 1e-12);
});

test("twoSpirals: shapes, balanced classes, radius ≤ 1 + noise, deterministic by key", () => {
  const d = twoSpirals({ count: 401, noise: 0, turns: 2, key: random.randomKey(5) });
  assert.equal(d.size, 401);
  assert.deepEqual(d.xShape, [2]);
  assert.deepEqual(d.yShape, []);
  assert.equal(d.numClasses, 2);
  assert.equal(d.x.length, 802);
  assert.equal(d.y.filter((c) => c === 1).length, 200);
  for (let i = 0; i < d.size; i++) assert.ok(Math.hypot(d.x[2 * i], d.x[2 * i + 1]) < 1 + 1e-6);
  assert.deepEqual(twoSpirals({ count: 401, noise: 0, turns: 2, key: random.randomKey(5) }), d);
  assert.deepEqual(twoSpirals({ count: 401, noise: 0, turns: 2, key: 5 }), d, "a seed is the same as randomKey(seed)");
  assert.notDeepEqual(twoSpirals({ count: 401, noise: 0, turns: 2, key: 6 }).x, d.x);
});

test("gaussianBlobs: shapes, class means near distinct centres, deterministic", () => {
  const d = gaussianBlobs({ count: 3000, classes: 4, dim: 3, spread: 0.1, key: 11 });
  assert.equal(d.size, 3000);
  assert.deepEqual(d.xShape, [3]);
  assert.equal(d.numClasses, 4);
  const means = Array.from({ length: 4 }, () => [0, 0, 0]);
  for (let i = 0; i < d.size; i++) for (let k = 0; k < 3; k++) means[d.y[i]][k] += d.x[i * 3 + k] / 750;
  for (let a = 0; a < 4; a++)
    for (let b = a + 1; b < 4; b++)
      assert.ok(Math.hypot(...means[a].map((v, k) => v - means[b][k])) > 1, "distinct centres");
  // Within-class spread is 0.1, so each point lies near its class mean.
  for (let i = 0; i < d.size; i++) {
    const m = means[d.y[i]];
    assert.ok(Math.hypot(d.x[3 * i] - m[0], d.x[3 * i + 1] - m[1], d.x[3 * i + 2] - m[2]) < 0.7);
  }
  assert.deepEqual(gaussianBlobs({ count: 3000, classes: 4, dim: 3, spread: 0.1, key: 11 }).x, d.x);
});

test("randomOrthogonal: QᵀQ = I", () => {
  const n = 7;
  const q = randomOrthogonal(random.randomKey(2), n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < n; k++) dot += q[k * n + i] * q[k * n + j];
      assert.ok(Math.abs(dot - (i === j ? 1 : 0)) < 1e-12);
    }
});

test("linearRegression: XᵀX/n has the requested condition number (within 1.5×), y = Xw* + noise", () => {
  for (const kappa of [10, 1000]) {
    const dim = 5;
    const count = 4000;
    const {
      dataset: d,
      trueWeights,
      eigenvalues,
    } = linearRegression({ count, dim, conditionNumber: kappa, noise: 0.01, key: random.randomKey(kappa) });
    assert.equal(d.size, count);
    assert.deepEqual(d.xShape, [dim]);
    assert.deepEqual(d.yShape, [1]);
    assert.equal(d.numClasses, 0);
    assert.equal(trueWeights.length, dim);
    assert.ok(Math.abs(eigenvalues[0] / eigenvalues[dim - 1] - kappa) < 1e-9 * kappa);
    const h = new Float64Array(dim * dim);
    for (let i = 0; i < count; i++)
      for (let a = 0; a < dim; a++)
        for (let b = 0; b < dim; b++) h[a * dim + b] += (d.x[i * dim + a] * d.x[i * dim + b]) / count;
    const ev = symmetricEigenvalues(h, dim);
    const cond = ev[0] / ev[dim - 1];
    assert.ok(cond > kappa / 1.5 && cond < kappa * 1.5, `condition number ${cond} vs requested ${kappa}`);
    // Residuals are the noise: std ≈ 0.01.
    let ss = 0;
    for (let i = 0; i < count; i++) {
      let pred = 0;
      for (let k = 0; k < dim; k++) pred += d.x[i * dim + k] * trueWeights[k];
      ss += (d.y[i] - pred) ** 2;
    }
    const rms = Math.sqrt(ss / count);
    assert.ok(rms > 0.008 && rms < 0.012, `residual rms ${rms}`);
  }
  const a = linearRegression({ count: 10, dim: 3, key: 1 });
  assert.deepEqual(linearRegression({ count: 10, dim: 3, key: 1 }), a);
});

test("addingProblem: two markers (one per half), target = sum of the marked values", () => {
  const length = 11;
  const d = addingProblem({ count: 500, length, key: random.randomKey(9) });
  assert.equal(d.size, 500);
  assert.deepEqual(d.xShape, [length, 2]);
  assert.deepEqual(d.yShape, [1]);
  assert.equal(d.numClasses, 0);
  const half = Math.floor(length / 2);
  for (let i = 0; i < d.size; i++) {
    const marked: number[] = [];
    let sum = 0;
    for (let t = 0; t < length; t++) {
      const v = d.x[(i * length + t) * 2];
      const m = d.x[(i * length + t) * 2 + 1];
      assert.ok(v >= 0 && v < 1);
      assert.ok(m === 0 || m === 1);
      if (m === 1) marked.push(t), (sum += v);
    }
    assert.equal(marked.length, 2);
    assert.ok(marked[0] < half && marked[1] >= half);
    assert.equal(d.y[i], Math.fround(sum));
  }
  assert.deepEqual(addingProblem({ count: 500, length, key: random.randomKey(9) }), d);
});

test("synthetic dataset specs: sizes, shapes and determinism", () => {
  const cases: [string, number, number, number[], number][] = [
    ["spirals", 1000, 500, [2], 2],
    ["blobs", 1000, 500, [2], 3],
    ["adding", 2000, 500, [50, 2], 0],
    ["regression", 2000, 500, [20], 0],
  ];
  for (const [spec, trainSize, testSize, xShape, numClasses] of cases) {
    const { train, test: held } = parseDatasetSpec(spec, 4);
    assert.equal(train.size, trainSize, spec);
    assert.equal(held.size, testSize, spec);
    assert.deepEqual(train.xShape, xShape);
    assert.deepEqual(held.xShape, xShape);
    assert.equal(train.numClasses, numClasses);
    assert.deepEqual(parseDatasetSpec(spec, 4).test.x, held.x);
    assert.notDeepEqual(parseDatasetSpec(spec, 5).test.x, held.x);
  }
  assert.throws(
    () => parseDatasetSpec("cifar", 0),
    (e: Error) =>
      e.message ===
      'Unknown dataset spec "cifar"; expected one of: mnist, idx:PATH, csv:PATH, spirals, blobs, adding, regression.',
  );
});

test("concentricCircles: the inner class inside radius 0.5, the outer in [0.7, 1], deterministic by seed", () => {
  const d = concentricCircles({ count: 300, noise: 0, key: 4 });
  assert.deepEqual([d.size, d.numClasses, d.x.length], [300, 2, 600]);
  for (let i = 0; i < d.size; i++) {
    const r = Math.hypot(d.x[2 * i], d.x[2 * i + 1]);
    assert.ok(
      d.y[i] === 0 ? r <= 0.5 + 1e-6 : r >= 0.7 - 1e-6 && r <= 1 + 1e-6,
      `example ${i}: class ${d.y[i]}, r ${r}`,
    );
  }
  assert.equal(d.y.filter((c) => c === 1).length, 150);
  assert.deepEqual(concentricCircles({ count: 300, noise: 0, key: 4 }), d);
  assert.notDeepEqual(concentricCircles({ count: 300, noise: 0, key: 5 }).x, d.x);
});

test("xorQuadrants: class 1 exactly where x·y < 0 without noise, points off the axes by the margin", () => {
  const d = xorQuadrants({ count: 400, noise: 0, margin: 0.1, key: 2 });
  assert.deepEqual([d.size, d.numClasses], [400, 2]);
  for (let i = 0; i < d.size; i++) {
    const [a, b] = [d.x[2 * i], d.x[2 * i + 1]];
    assert.equal(d.y[i], a * b < 0 ? 1 : 0);
    assert.ok(Math.min(Math.abs(a), Math.abs(b)) >= 0.1 - 1e-6 && Math.max(Math.abs(a), Math.abs(b)) <= 1 + 1e-6);
  }
  const ones = d.y.filter((c) => c === 1).length;
  assert.ok(ones > 150 && ones < 250, `${ones} of 400 in class 1`);
  assert.deepEqual(xorQuadrants({ count: 400, noise: 0, margin: 0.1, key: 2 }), d);
});
