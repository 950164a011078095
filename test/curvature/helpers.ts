/** Shared helpers of the curvature tests: dense symmetric matrices with known spectra, errors, eigh. */
import { numpy as np } from "@jax-js/jax";
import { precisionOf, random, toDevice } from "../../src/engine/index.js";
import { orthonormalColumns } from "../../src/nn/init.js";

export const F64 = precisionOf("float64");

/** Q diag(λ) Qᵀ with a random orthogonal Q (row-major n×n). */
export function matrixWithSpectrum(eigenvalues: number[], seed = 0): Float64Array {
  const n = eigenvalues.length;
  const q = orthonormalColumns(random.normal(random.randomKey(seed), n * n), n, n);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) A[i * n + j] = eigenvalues.reduce((s, l, k) => s + q[i * n + k] * l * q[j * n + k], 0);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < i; j++) A[i * n + j] = A[j * n + i] = (A[i * n + j] + A[j * n + i]) / 2;
  return A;
}

/** Eigenvalues (ascending) of a dense symmetric matrix by jax-js's eigh on the exact float64 cpu device. */
export function denseEigenvalues(A: ArrayLike<number>, n: number): Float64Array {
  const [w, V] = np.linalg.eigh(toDevice(A, [n, n], F64));
  V.dispose();
  return Float64Array.from(w.dataSync() as ArrayLike<number>).sort();
}

/** max_i |a_i − b_i| / |b_i|. */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.abs(b[i]));
  return worst;
}

/** ‖a − b‖ / ‖b‖. */
export function normRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

export const logSpaced = (n: number, lo: number, hi: number) =>
  Array.from({ length: n }, (_, i) => lo * (hi / lo) ** (i / (n - 1)));
