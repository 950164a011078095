/**
 * Curriculum learning (Bengio et al. 2009; 8.7.6): present easy examples before hard ones.
 * A difficulty score per example (given, a teacher's loss, or a sequence length) drives either
 *  - a deterministic curriculum: stage s of S draws only from the easiest (s+1)/S of the data;
 *  - a stochastic curriculum (Zaremba & Sutskever 2014): every minibatch is a random mix of easy
 *    and hard examples, each slot hard with a probability that rises on a schedule.
 * Both are BatchSamplers for the Trainer: pure functions of the epoch, a fixed number of batches.
 */
import { random, toDevice, type Precision, type Tree } from "../engine/index.js";
import { exampleSize, type Dataset } from "../data/index.js";
import type { Layer } from "../nn/index.js";
import { compilePredict, type BatchSampler } from "../train/index.js";

/** Difficulty = sequence length (longer is harder). */
export const difficultyFromLength = (lengths: ArrayLike<number>): Float64Array => Float64Array.from(lengths);

/**
 * Difficulty = a trained teacher's loss on each example (cross-entropy
 * or squared error, eval mode). Borrows params and state.
 */
export function difficultyFromTeacherLoss(
  teacher: Layer,
  params: Tree,
  modelState: Tree,
  data: Dataset,
  precision: Precision,
  batchSize = 1000,
): Float64Array {
  const predict = compilePredict(teacher);
  const xs = exampleSize(data.xShape);
  const ys = exampleSize(data.yShape);
  const out = new Float64Array(data.size);
  try {
    for (let start = 0; start < data.size; start += batchSize) {
      const n = Math.min(batchSize, data.size - start);
      const x = toDevice(data.x.subarray(start * xs, (start + n) * xs), [n, ...data.xShape], precision);
      const y = Float64Array.from(predict.run(params, modelState, x).dataSync() as ArrayLike<number>);
      const width = y.length / n;
      for (let i = 0; i < n; i++) {
        const row = y.subarray(i * width, (i + 1) * width);
        if (data.numClasses > 0) {
          const max = row.reduce((a, b) => Math.max(a, b), -Infinity);
          out[start + i] = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) - row[data.y[start + i]];
        } else {
          let sq = 0;
          for (let j = 0; j < ys; j++) sq += (row[j] - data.y[(start + i) * ys + j]) ** 2;
          out[start + i] = sq / ys;
        }
      }
    }
  } finally {
    predict.dispose();
  }
  return out;
}

function checkCommon(difficulty: ArrayLike<number>, batchSize: number): void {
  if (difficulty.length === 0) throw new Error("a curriculum needs at least one example");
  if (!(Number.isInteger(batchSize) && batchSize >= 1))
    throw new Error(`curriculum batch size must be a positive integer, got ${batchSize}`);
  for (let i = 0; i < difficulty.length; i++)
    if (!Number.isFinite(difficulty[i])) throw new Error(`difficulty of example ${i} is not finite (${difficulty[i]})`);
}

/** Example indices from easiest to hardest (ties keep their index order). */
export function easyToHard(difficulty: ArrayLike<number>): Int32Array {
  return Int32Array.from({ length: difficulty.length }, (_, i) => i).sort(
    (a, b) => difficulty[a] - difficulty[b] || a - b,
  );
}

// Fills `count` slots from `pool`, pass after pass over fresh permutations (no repeats within a pass).
function drawFrom(pool: Int32Array, count: number, key: random.Key): Int32Array {
  const out = new Int32Array(count);
  for (let filled = 0, pass = 0; filled < count; pass++) {
    const order = random.permutation(random.foldIn(key, pass), pool.length);
    for (let i = 0; i < order.length && filled < count; i++) out[filled++] = pool[order[i]];
  }
  return out;
}

const split = (indices: Int32Array, batchSize: number): Int32Array[] =>
  Array.from({ length: Math.ceil(indices.length / batchSize) }, (_, b) =>
    indices.slice(b * batchSize, (b + 1) * batchSize),
  );

export interface StagedCurriculumOptions {
  difficulty: ArrayLike<number>;
  batchSize: number;
  stages: number;
  epochsPerStage: number;
  seed: number;
}

/** The stage (0-based) an epoch belongs to: the last stage lasts to the end of training. */
export const stageOf = (epoch: number, o: { stages: number; epochsPerStage: number }) =>
  Math.min(o.stages - 1, Math.floor(epoch / o.epochsPerStage));

/** Deterministic curriculum: epoch e draws ⌈N/batch⌉ batches from the easiest ⌈(s+1)N/S⌉ examples, s = its stage. */
export function stagedCurriculum(o: StagedCurriculumOptions): BatchSampler {
  checkCommon(o.difficulty, o.batchSize);
  if (!(Number.isInteger(o.stages) && o.stages >= 1))
    throw new Error(`curriculum stages must be a positive integer, got ${o.stages}`);
  if (!(Number.isInteger(o.epochsPerStage) && o.epochsPerStage >= 1))
    throw new Error(`curriculum epochsPerStage must be a positive integer, got ${o.epochsPerStage}`);
  const order = easyToHard(o.difficulty);
  const n = order.length;
  const key = random.randomKey(o.seed);
  return (epoch) => {
    const pool = order.subarray(0, Math.ceil(((stageOf(epoch, o) + 1) * n) / o.stages));
    return split(drawFrom(pool, n, random.foldIn(key, epoch)), o.batchSize);
  };
}

export interface StochasticCurriculumOptions {
  difficulty: ArrayLike<number>;
  /** Examples with difficulty above this are "hard" (default: the median, so half are hard). */
  hardAbove?: number;
  /**
   * The probability that a slot holds a hard example, as a function
   * of training progress in epochs (epoch + batch/batches).
   */
  hardShare: (progress: number) => number;
  batchSize: number;
  seed: number;
}

/** A hard share rising linearly from `from` to `to` over `epochs` epochs, then constant. */
export const linearShare = (from: number, to: number, epochs: number) => (progress: number) =>
  from + (to - from) * Math.min(1, progress / epochs);

/**
 * Stochastic (mixed) curriculum: each slot is hard with probability hardShare(progress), then uniform within its group.
 */
export function stochasticCurriculum(o: StochasticCurriculumOptions): BatchSampler & { hard: Uint8Array } {
  checkCommon(o.difficulty, o.batchSize);
  const sorted = Float64Array.from(o.difficulty).sort();
  const threshold = o.hardAbove ?? sorted[Math.floor((sorted.length - 1) / 2)];
  const hard = Uint8Array.from(Array.from(o.difficulty, (d) => (d > threshold ? 1 : 0)));
  const hardSet = Int32Array.from(Array.from(hard).flatMap((h, i) => (h ? [i] : [])));
  const easySet = Int32Array.from(Array.from(hard).flatMap((h, i) => (h ? [] : [i])));
  if (!hardSet.length || !easySet.length)
    throw new Error(
      `stochastic curriculum: the threshold ${threshold} leaves ${hardSet.length} hard and ${easySet.length} easy ` +
        `examples; both groups must be non-empty`,
    );
  const n = hard.length;
  const batches = Math.ceil(n / o.batchSize);
  const key = random.randomKey(o.seed);
  const sampler = (epoch: number) => {
    const k = random.splitKey(random.foldIn(key, epoch), 3);
    const coins = random.uniform(k[0], n);
    const pickHard = random.randint(k[1], n, hardSet.length);
    const pickEasy = random.randint(k[2], n, easySet.length);
    const out: Int32Array[] = [];
    for (let b = 0; b < batches; b++) {
      const share = o.hardShare(epoch + b / batches);
      if (!(share >= 0 && share <= 1))
        throw new Error(
          `stochastic curriculum: hard share ${share} at epoch ${epoch + b / batches} is not a probability`,
        );
      const size = Math.min(o.batchSize, n - b * o.batchSize);
      const batch = new Int32Array(size);
      for (let i = 0; i < size; i++) {
        const slot = b * o.batchSize + i;
        batch[i] = coins[slot] < share ? hardSet[pickHard[slot]] : easySet[pickEasy[slot]];
      }
      out.push(batch);
    }
    return out;
  };
  return Object.assign(sampler, { hard });
}
