/**
 * Minibatch order, in the three regimes of section 8.1.3: shuffle once and reuse that order every
 * epoch, reshuffle every epoch, or draw indices with replacement (every minibatch then an
 * independent, unbiased estimate of the training-set gradient, at the price of repeats and misses).
 * Every function is pure, so a resumed run recomputes any epoch's order from (key, epoch).
 */
import { random, type Key } from "../engine/index.js";

export type SamplingRegime = "shuffle-once" | "reshuffle" | "replacement";

export const SAMPLING_REGIMES: readonly SamplingRegime[] = ["shuffle-once", "reshuffle", "replacement"];

export interface EpochOptions {
  size: number;
  batchSize: number;
  regime: SamplingRegime;
  key: Key;
  /** 0-based epoch number. */
  epoch: number;
  /** Drop the last, smaller minibatch (default false: keep it). */
  dropLast?: boolean;
}

/** Number of minibatches per epoch. */
export function batchesPerEpoch(size: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(size / batchSize) : Math.ceil(size / batchSize);
}

/** The example indices of each minibatch of epoch `epoch`. */
export function epochBatches(opts: EpochOptions): Int32Array[] {
  const { size, batchSize, regime, key, epoch, dropLast = false } = opts;
  if (!Number.isInteger(size) || size < 0)
    throw new Error(`epochBatches size must be a non-negative integer, got ${size}.`);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`epochBatches batchSize must be a positive integer, got ${batchSize}.`);
  if (!Number.isInteger(epoch) || epoch < 0)
    throw new Error(`epochBatches epoch must be a non-negative integer, got ${epoch}.`);
  let order: Int32Array;
  if (regime === "shuffle-once")
    order = random.permutation(key, size); // the same order every epoch
  else if (regime === "reshuffle") order = random.permutation(random.foldIn(key, epoch), size);
  else if (regime === "replacement")
    order = random.randint(random.foldIn(key, epoch), size, size); // `size` draws, may repeat
  else
    throw new Error(`Unknown sampling regime "${regime as string}"; expected one of ${SAMPLING_REGIMES.join(", ")}.`);
  const batches: Int32Array[] = [];
  const count = batchesPerEpoch(size, batchSize, dropLast);
  for (let b = 0; b < count; b++) batches.push(order.slice(b * batchSize, Math.min(size, (b + 1) * batchSize)));
  return batches;
}

/** Class indices → one-hot rows, [labels.length, numClasses] row-major. */
export function oneHot(labels: Float32Array, numClasses: number): Float32Array {
  const out = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!Number.isInteger(c) || c < 0 || c >= numClasses)
      throw new Error(`oneHot label ${c} at position ${i} is not a class index below ${numClasses}.`);
    out[i * numClasses + c] = 1;
  }
  return out;
}
