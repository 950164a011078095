/**
 * Splittable PRNG keys computed on the host, JAX-style: a key is two uint32 words, `splitKey`
 * derives independent child keys, and sampling never mutates a key. Host-side so that the same
 * seed gives the same initial weights and batch order on every device and in either dtype,
 * and so that a key serializes into a checkpoint as two numbers.
 */
export type Key = readonly [number, number];

// murmur3's 32-bit finalizer: a bijection with good avalanche.
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// Counter-based stream: word `counter` of the stream identified by `key`.
function bits(key: Key, counter: number): number {
  const a = fmix32(key[0] ^ Math.imul(counter + 1, 0x9e3779b9));
  return fmix32(a ^ Math.imul(key[1] + 0x7f4a7c15, 0x85ebca6b) ^ (counter >>> 0));
}

export function randomKey(seed: number): Key {
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 2 ** 32) >>> 0;
  return [fmix32(lo ^ 0x243f6a88), fmix32(hi ^ 0x13198a2e)];
}

export function splitKey(key: Key, count = 2): Key[] {
  const children: Key[] = [];
  for (let i = 0; i < count; i++) children.push([bits(key, 2 * i + 0x10000), bits(key, 2 * i + 0x10001)]);
  return children;
}

/** Derives a key from a key and an integer (e.g. an epoch number) without splitting a stream. */
export function foldIn(key: Key, data: number): Key {
  return [fmix32(key[0] ^ fmix32(data >>> 0)), fmix32(key[1] + Math.imul(data >>> 0, 0x9e3779b9))];
}

/** `count` uniform samples in [0, 1), each with 53 random bits. */
export function uniform(key: Key, count: number, low = 0, high = 1): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const u = ((bits(key, 2 * i) >>> 5) * 67108864 + (bits(key, 2 * i + 1) >>> 6)) / 9007199254740992;
    out[i] = low + (high - low) * u;
  }
  return out;
}

/** `count` standard normal samples (Box-Muller). */
export function normal(key: Key, count: number, mean = 0, std = 1): Float64Array {
  const u = uniform(key, count + (count % 2));
  const out = new Float64Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u[i]));
    const t = 2 * Math.PI * u[i + 1];
    out[i] = mean + std * r * Math.cos(t);
    if (i + 1 < count) out[i + 1] = mean + std * r * Math.sin(t);
  }
  return out;
}

/** Normal samples redrawn until they fall within two standard deviations. */
export function truncatedNormal(key: Key, count: number, std = 1): Float64Array {
  const out = new Float64Array(count);
  let filled = 0;
  let round = 0;
  while (filled < count) {
    const draw = normal(foldIn(key, round++), count);
    for (let i = 0; i < draw.length && filled < count; i++) if (Math.abs(draw[i]) <= 2) out[filled++] = draw[i] * std;
  }
  return out;
}

/** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
export function permutation(key: Key, n: number): Int32Array {
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const u = uniform(key, n);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(u[i] * (i + 1));
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  return perm;
}

/** `count` integers drawn uniformly from [0, n), with replacement. */
export function randint(key: Key, count: number, n: number): Int32Array {
  const u = uniform(key, count);
  return Int32Array.from(u, (x) => Math.floor(x * n));
}
