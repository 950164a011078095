/**
 * Host-side float64 vector algebra for the solvers, line searches and Krylov methods. Kept on the host
 * on purpose: it is exact (jax-js jit rounds JS number constants to float32 inside float64 code) and,
 * for the small vectors of full-batch solvers, cheaper than a device round trip.
 */
export type Vec = Float64Array;

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export const norm = (a: ArrayLike<number>): number => Math.sqrt(dot(a, a));

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** x + αp, a new vector: the one way every solver forms a trial point, so that equal α give equal bits. */
export function pointAt(x: ArrayLike<number>, alpha: number, p: ArrayLike<number>): Vec {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] + alpha * p[i];
  return out;
}

/** y ← y + αx, in place. */
export function axpy(y: Vec, alpha: number, x: ArrayLike<number>): Vec {
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
  return y;
}

// Plain loops: Float64Array.from(a, fn) is ~10x slower on the 10⁵-10⁶ entries of a network's θ.
export function scale(a: ArrayLike<number>, alpha: number): Vec {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = alpha * a[i];
  return out;
}

export function sub(a: ArrayLike<number>, b: ArrayLike<number>): Vec {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

export const neg = (a: ArrayLike<number>): Vec => scale(a, -1);

/**
 * Removes from v (in place) its components along the orthonormal
 * vectors of `basis`, twice ("twice is enough", Parlett).
 */
export function orthogonalize(v: Vec, basis: readonly Float64Array[]): Vec {
  for (let pass = 0; pass < 2; pass++) for (const q of basis) axpy(v, -dot(q, v), q);
  return v;
}
