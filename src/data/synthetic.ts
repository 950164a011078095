/**
 * Small synthetic problems with known structure, each a pure function of its PRNG key (or seed)
 * and sizes: two spirals and Gaussian blobs (classification), linear regression with a chosen
 * Hessian condition number (for the ill-conditioning of section 8.2.1), and the adding problem
 * (long-term dependencies, section 10.7).
 */
import { random, type Key } from "../engine/index.js";
import type { Dataset } from "./dataset.js";

// A seed is accepted wherever a key is, for convenience at call sites.
const asKey = (key: Key | number): Key => (typeof key === "number" ? random.randomKey(key) : key);

function checkSize(what: string, n: number, min = 1): void {
  if (!Number.isInteger(n) || n < min) throw new Error(`${what} must be an integer of at least ${min}, got ${n}.`);
}

/**
 * Two interleaved spirals in the plane, one per class: radius t ∈ [0, 1), angle 2π·turns·t
 * (plus π for class 1), Gaussian noise of std `noise` on each coordinate. Classes alternate 0, 1, 0, …
 */
export function twoSpirals(opts: { count: number; noise?: number; turns?: number; key: Key | number }): Dataset {
  const { count, noise = 0.05, turns = 1.5 } = opts;
  checkSize("twoSpirals count", count);
  const [kt, kn] = random.splitKey(asKey(opts.key), 2);
  const t = random.uniform(kt, count);
  const eps = random.normal(kn, 2 * count, 0, noise);
  const x = new Float32Array(2 * count);
  const y = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const c = i % 2;
    const angle = 2 * Math.PI * turns * t[i] + Math.PI * c;
    x[2 * i] = t[i] * Math.cos(angle) + eps[2 * i];
    x[2 * i + 1] = t[i] * Math.sin(angle) + eps[2 * i + 1];
    y[i] = c;
  }
  return { name: "spirals", x, xShape: [2], y, yShape: [], numClasses: 2, size: count };
}

/**
 * `classes` isotropic Gaussian blobs in `dim` dimensions: centres drawn from N(0, 2²·I), points
 * from N(centre, spread²·I). Classes cycle 0, 1, …, classes−1 so every prefix is balanced.
 */
export function gaussianBlobs(opts: {
  count: number;
  classes?: number;
  dim?: number;
  spread?: number;
  key: Key | number;
}): Dataset {
  const { count, classes = 3, dim = 2, spread = 0.5 } = opts;
  checkSize("gaussianBlobs count", count);
  checkSize("gaussianBlobs classes", classes);
  checkSize("gaussianBlobs dim", dim);
  const [kc, kp] = random.splitKey(asKey(opts.key), 2);
  const centres = random.normal(kc, classes * dim, 0, 2);
  const eps = random.normal(kp, count * dim, 0, spread);
  const x = new Float32Array(count * dim);
  const y = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const c = i % classes;
    for (let d = 0; d < dim; d++) x[i * dim + d] = centres[c * dim + d] + eps[i * dim + d];
    y[i] = c;
  }
  return { name: "blobs", x, xShape: [dim], y, yShape: [], numClasses: classes, size: count };
}

/**
 * Two concentric circles (TensorFlow Playground's "circle"): class 0 at radius ~ U(0, 0.5), class 1 at
 * radius ~ U(0.7, 1), uniform angle, Gaussian noise of std `noise`. Classes alternate 0, 1, 0, …
 */
export function concentricCircles(opts: { count: number; noise?: number; key: Key | number }): Dataset {
  const { count, noise = 0.05 } = opts;
  checkSize("concentricCircles count", count);
  const [kr, ka, kn] = random.splitKey(asKey(opts.key), 3);
  const r = random.uniform(kr, count);
  const angle = random.uniform(ka, count, 0, 2 * Math.PI);
  const eps = random.normal(kn, 2 * count, 0, noise);
  const x = new Float32Array(2 * count);
  const y = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const c = i % 2;
    const radius = c === 0 ? 0.5 * r[i] : 0.7 + 0.3 * r[i];
    x[2 * i] = radius * Math.cos(angle[i]) + eps[2 * i];
    x[2 * i + 1] = radius * Math.sin(angle[i]) + eps[2 * i + 1];
    y[i] = c;
  }
  return { name: "circles", x, xShape: [2], y, yShape: [], numClasses: 2, size: count };
}

/**
 * XOR of the quadrants: points uniform in [−1, 1]², nudged `margin` away from the axes, class 1 where
 * x·y < 0; Gaussian noise of std `noise` on each coordinate afterwards.
 */
export function xorQuadrants(opts: { count: number; noise?: number; margin?: number; key: Key | number }): Dataset {
  const { count, noise = 0.05, margin = 0.05 } = opts;
  checkSize("xorQuadrants count", count);
  const [kp, kn] = random.splitKey(asKey(opts.key), 2);
  const u = random.uniform(kp, 2 * count, -1, 1);
  const eps = random.normal(kn, 2 * count, 0, noise);
  const x = new Float32Array(2 * count);
  const y = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const [a, b] = [u[2 * i], u[2 * i + 1]].map((v) => Math.sign(v) * (margin + (1 - margin) * Math.abs(v)));
    x[2 * i] = a + eps[2 * i];
    x[2 * i + 1] = b + eps[2 * i + 1];
    y[i] = a * b < 0 ? 1 : 0;
  }
  return { name: "xor", x, xShape: [2], y, yShape: [], numClasses: 2, size: count };
}

/** A Haar-random orthogonal n×n matrix (row-major): Gram-Schmidt on a Gaussian matrix's columns. */
export function randomOrthogonal(key: Key, n: number): Float64Array {
  const q = random.normal(key, n * n);
  for (let j = 0; j < n; j++) {
    // Modified Gram-Schmidt (twice, for orthogonality to rounding error at larger n).
    for (let pass = 0; pass < 2; pass++)
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += q[i * n + k] * q[i * n + j];
        for (let i = 0; i < n; i++) q[i * n + j] -= dot * q[i * n + k];
      }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q[i * n + j] ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) q[i * n + j] /= norm;
  }
  return q;
}

/**
 * Least squares with a chosen curvature: x ~ N(0, Q·diag(λ)·Qᵀ) with λ log-spaced from 1 down to
 * 1/conditionNumber and Q random orthogonal, so the Hessian XᵀX/n of the mean squared error has
 * condition number ≈ conditionNumber. Targets y = x·w* + N(0, noise²), w* ~ N(0, I).
 */
export function linearRegression(opts: {
  count: number;
  dim: number;
  conditionNumber?: number;
  noise?: number;
  key: Key | number;
}): {
  dataset: Dataset;
  trueWeights: Float64Array;
  eigenvalues: Float64Array;
} {
  const { count, dim, conditionNumber = 100, noise = 0.1 } = opts;
  checkSize("linearRegression count", count);
  checkSize("linearRegression dim", dim);
  if (!(conditionNumber >= 1))
    throw new Error(`linearRegression conditionNumber must be at least 1, got ${conditionNumber}.`);
  const [kq, kz, kw, kn] = random.splitKey(asKey(opts.key), 4);
  const eigenvalues = Float64Array.from({ length: dim }, (_, j) =>
    dim === 1 ? 1 : conditionNumber ** (-j / (dim - 1)),
  );
  const q = randomOrthogonal(kq, dim);
  // A = diag(√λ)·Qᵀ, so a row x = z·A has covariance AᵀA = Q·diag(λ)·Qᵀ.
  const a = new Float64Array(dim * dim);
  for (let j = 0; j < dim; j++)
    for (let k = 0; k < dim; k++) a[j * dim + k] = Math.sqrt(eigenvalues[j]) * q[k * dim + j];
  const z = random.normal(kz, count * dim);
  const trueWeights = random.normal(kw, dim);
  const eps = random.normal(kn, count, 0, noise);
  const x = new Float32Array(count * dim);
  const y = new Float32Array(count);
  const row = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    row.fill(0);
    for (let j = 0; j < dim; j++) {
      const zij = z[i * dim + j];
      for (let k = 0; k < dim; k++) row[k] += zij * a[j * dim + k];
    }
    let target = eps[i];
    for (let k = 0; k < dim; k++) {
      x[i * dim + k] = row[k];
      target += x[i * dim + k] * trueWeights[k]; // from the stored float32 inputs, so w* is exact for them
    }
    y[i] = target;
  }
  return {
    dataset: { name: "regression", x, xShape: [dim], y, yShape: [1], numClasses: 0, size: count },
    trueWeights,
    eigenvalues,
  };
}

/**
 * Hochreiter & Schmidhuber's adding problem: a sequence of `length` steps (value ~ U(0, 1),
 * marker), with marker 1 at exactly two steps, one in each half; the target is the sum of the two
 * marked values. Inputs [length, 2], target [1], regression.
 */
export function addingProblem(opts: { count: number; length: number; key: Key | number }): Dataset {
  const { count, length } = opts;
  checkSize("addingProblem count", count);
  checkSize("addingProblem length", length, 2);
  const [kv, k1, k2] = random.splitKey(asKey(opts.key), 3);
  const half = Math.floor(length / 2);
  const values = random.uniform(kv, count * length);
  const first = random.randint(k1, count, half);
  const second = random.randint(k2, count, length - half);
  const x = new Float32Array(count * length * 2);
  const y = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const base = i * length * 2;
    for (let t = 0; t < length; t++) x[base + 2 * t] = values[i * length + t];
    const m1 = first[i];
    const m2 = half + second[i];
    x[base + 2 * m1 + 1] = 1;
    x[base + 2 * m2 + 1] = 1;
    y[i] = x[base + 2 * m1] + x[base + 2 * m2]; // from the stored float32 values
  }
  return { name: "adding", x, xShape: [length, 2], y, yShape: [1], numClasses: 0, size: count };
}
