/**
 * Host-side float64 vector algebra for the Krylov methods. The Lanczos vectors, their
 * reorthogonalization and the tridiagonal eigenproblems stay on the host: jax-js jit rounds JS
 * number constants to float32 inside float64 programs, while plain Float64Array loops are exact.
 */
import { random, type Key } from "../engine/index.js";

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export const norm = (a: ArrayLike<number>): number => Math.sqrt(dot(a, a));

/** y ← y + a·x, in place. */
export function axpy(y: Float64Array, a: number, x: ArrayLike<number>): Float64Array {
  for (let i = 0; i < y.length; i++) y[i] += a * x[i];
  return y;
}

export function scaled(x: ArrayLike<number>, a: number): Float64Array {
  return Float64Array.from(x, (v) => a * v);
}

/** Removes from v (in place) its components along the orthonormal vectors of `basis`, twice ("twice is enough", Parlett). */
export function orthogonalize(v: Float64Array, basis: readonly Float64Array[]): Float64Array {
  for (let pass = 0; pass < 2; pass++) for (const q of basis) axpy(v, -dot(q, v), q);
  return v;
}

/** Random ±1 entries (Rademacher): the probe vectors of Hutchinson's estimator and of SLQ. */
export function rademacher(key: Key, n: number): Float64Array {
  const u = random.uniform(key, n);
  return Float64Array.from(u, (x) => (x < 0.5 ? -1 : 1));
}

/** A random unit vector (normal entries, normalized). */
export function randomUnit(key: Key, n: number): Float64Array {
  const v = random.normal(key, n);
  return scaled(v, 1 / norm(v));
}
