/**
 * Weight initializers of section 8.4, computed on the host in float64 from a PRNG key.
 * A weight of shape [..., fanOutLast] is viewed as a matrix [fanIn, units] where `units` is the
 * last axis (output units) and fanIn the product of the others (conv: kh·kw·cin).
 */
import { random, type Key } from "../engine/index.js";

export type Initializer = (key: Key, shape: number[]) => Float64Array;

export function fans(shape: number[]): { fanIn: number; fanOut: number; receptive: number } {
  const units = shape[shape.length - 1];
  const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const receptive = shape.length > 2 ? shape.slice(0, -2).reduce((a, b) => a * b, 1) : 1;
  return { fanIn, fanOut: units * receptive, receptive };
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Glorot & Bengio's normalized initialization, U(−√6/√(m+n), +√6/√(m+n)) (eq. 8.23; the seeds' 6/√(m+n) is a typo). */
export const glorotUniform: Initializer = (key, shape) => {
  const { fanIn, fanOut } = fans(shape);
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return random.uniform(key, size(shape), -limit, limit);
};

/** He et al. (2015): N(0, 2/fanIn), preserving activation variance through ReLUs. */
export const heNormal: Initializer = (key, shape) =>
  random.normal(key, size(shape), 0, Math.sqrt(2 / fans(shape).fanIn));

export const normalInit =
  (std: number): Initializer =>
  (key, shape) =>
    random.normal(key, size(shape), 0, std);

export const zerosInit: Initializer = (_key, shape) => new Float64Array(size(shape));

export const constantInit =
  (value: number): Initializer =>
  (_key, shape) =>
    new Float64Array(size(shape)).fill(value);

/**
 * Saxe et al.'s random orthogonal matrices: QR of a Gaussian matrix with the signs of R's diagonal
 * folded into Q (so Q is Haar-distributed), times `gain`. Rows (fanIn) or columns are orthonormal,
 * whichever are fewer.
 */
export const orthogonal =
  (gain = 1): Initializer =>
  (key, shape) => {
    const { fanIn: rows } = fans(shape);
    const cols = shape[shape.length - 1];
    const tall = rows >= cols;
    const [m, n] = tall ? [rows, cols] : [cols, rows];
    const q = orthonormalColumns(random.normal(key, m * n), m, n);
    const out = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++) out[i * cols + j] = gain * (tall ? q[i * n + j] : q[j * n + i]);
    return out;
  };

/**
 * Q of the QR factorization of the m×n (m >= n, row-major) matrix
 * `a`, by Householder reflections, with sign(diag R) applied.
 */
export function orthonormalColumns(a: Float64Array, m: number, n: number): Float64Array {
  const r = Float64Array.from(a);
  const vs: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    const v = new Float64Array(m);
    let norm = 0;
    for (let i = k; i < m; i++) norm += r[i * n + k] ** 2;
    norm = Math.sqrt(norm);
    const alpha = r[k * n + k] >= 0 ? -norm : norm;
    for (let i = k; i < m; i++) v[i] = r[i * n + k];
    v[k] -= alpha;
    const vnorm2 = v.reduce((s, x) => s + x * x, 0);
    if (vnorm2 > 0) applyReflection(r, v, vnorm2, m, n, k); // columns < k are already zero below the diagonal
    vs.push(v);
  }
  // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity.
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * n + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k];
    const vnorm2 = v.reduce((s, x) => s + x * x, 0);
    if (vnorm2 > 0) applyReflection(q, v, vnorm2, m, n, k); // H_k … H_{n−1} I differs from I only in columns ≥ k
  }
  for (let j = 0; j < n; j++) {
    if (r[j * n + j] < 0) for (let i = 0; i < m; i++) q[i * n + j] = -q[i * n + j];
  }
  return q;
}

/**
 * x ← (I − 2vvᵀ/vᵀv) x for the columns from `first` of the m×n matrix x (the caller knows that vᵀx is 0 in the
 * others, so skipping them changes no value).
 */
function applyReflection(x: Float64Array, v: Float64Array, vnorm2: number, m: number, n: number, first: number): void {
  // Row by row (contiguous memory; rows where v is 0 change
  // nothing): the same sums in the same order as column by column.
  const dots = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    if (v[i] === 0) continue;
    for (let j = first, o = i * n; j < n; j++) dots[j] += v[i] * x[o + j];
  }
  for (let j = first; j < n; j++) dots[j] = (2 * dots[j]) / vnorm2;
  for (let i = 0; i < m; i++) {
    if (v[i] === 0) continue;
    for (let j = first, o = i * n; j < n; j++) if (dots[j] !== 0) x[o + j] -= dots[j] * v[i];
  }
}

/**
 * Martens' sparse initialization: each unit gets exactly k non-zero incoming weights, N(0, std²),
 * at positions chosen uniformly without replacement; the rest are zero.
 */
export const sparse =
  (k = 15, std = 1): Initializer =>
  (key, shape) => {
    const { fanIn } = fans(shape);
    const units = shape[shape.length - 1];
    if (k > fanIn) throw new Error(`sparse initialization needs k <= fan-in, got k=${k} and fan-in ${fanIn}`);
    const out = new Float64Array(fanIn * units);
    const keys = random.splitKey(key, units);
    for (let u = 0; u < units; u++) {
      const [pickKey, valueKey] = random.splitKey(keys[u]);
      const rows = random.permutation(pickKey, fanIn).subarray(0, k);
      const values = random.normal(valueKey, k, 0, std);
      rows.forEach((row, i) => (out[row * units + u] = values[i]));
    }
    return out;
  };

export type InitName = "glorot" | "he" | "orthogonal" | "sparse" | "normal";
export const initNames: InitName[] = ["glorot", "he", "orthogonal", "sparse", "normal"];

/** Named initializers with their usual defaults (normal: std 0.01). */
export function initializerByName(name: InitName): Initializer {
  switch (name) {
    case "glorot":
      return glorotUniform;
    case "he":
      return heNormal;
    case "orthogonal":
      return orthogonal();
    case "sparse":
      return (key, shape) => sparse(Math.min(15, fans(shape).fanIn))(key, shape);
    case "normal":
      return normalInit(0.01);
  }
}
