import { random, type Key } from "../engine/index.js";
import { norm, scale } from "../linalg/vector.js";

/** Random ±1 entries (Rademacher): the probe vectors of Hutchinson's estimator and of SLQ. */
export function rademacher(key: Key, n: number): Float64Array {
  const u = random.uniform(key, n);
  return Float64Array.from(u, (x) => (x < 0.5 ? -1 : 1));
}

/** A random unit vector (normal entries, normalized). */
export function randomUnit(key: Key, n: number): Float64Array {
  const v = random.normal(key, n);
  return scale(v, 1 / norm(v));
}
