/**
 * Held-out splits and input standardization. Statistics are computed on the training set only and
 * then applied to every split, so no information leaks from validation or test data.
 */
import { random, type Key } from "../engine/index.js";
import { exampleSize, subset, type Dataset } from "./dataset.js";

/** A random `fraction` of the examples (rounded) as validation, the rest as train; deterministic by key. */
export function validationSplit(data: Dataset, fraction: number, key: Key): { train: Dataset; validation: Dataset } {
  if (!(fraction >= 0 && fraction < 1)) throw new Error(`validationSplit fraction must be in [0, 1), got ${fraction}.`);
  const perm = random.permutation(key, data.size);
  const held = Math.round(data.size * fraction);
  return {
    train: subset(data, perm.subarray(held), `${data.name}/train`),
    validation: subset(data, perm.subarray(0, held), `${data.name}/validation`),
  };
}

export interface NormalizationStats {
  /** Per input element (over all of xShape), mean over examples. */
  mean: Float64Array;
  /** Per input element, population standard deviation; 1 where the feature is constant. */
  std: Float64Array;
}

/** Per-feature mean and standard deviation of the inputs, in float64. */
export function normalizationStats(data: Dataset): NormalizationStats {
  const d = exampleSize(data.xShape);
  if (data.size === 0)
    throw new Error(`normalizationStats needs at least one example, but dataset ${data.name} is empty.`);
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (let i = 0; i < data.size; i++) for (let j = 0; j < d; j++) mean[j] += data.x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= data.size;
  // Two passes, so large means do not cancel the variance.
  for (let i = 0; i < data.size; i++) for (let j = 0; j < d; j++) std[j] += (data.x[i * d + j] - mean[j]) ** 2;
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(std[j] / data.size);
    std[j] = s > 1e-8 ? s : 1; // constant features (e.g. MNIST's border pixels) are only centred
  }
  return { mean, std };
}

/** A new Dataset whose inputs are (x − mean) / std feature by feature. */
export function applyNormalization(data: Dataset, stats: NormalizationStats): Dataset {
  const d = exampleSize(data.xShape);
  if (stats.mean.length !== d || stats.std.length !== d)
    throw new Error(
      `applyNormalization got statistics for ${stats.mean.length} features but dataset ${data.name} has ${d} per ` +
        `example.`,
    );
  const x = new Float32Array(data.x.length);
  for (let i = 0; i < data.size; i++)
    for (let j = 0; j < d; j++) x[i * d + j] = (data.x[i * d + j] - stats.mean[j]) / stats.std[j];
  return { ...data, x, y: data.y.slice() };
}

/** Statistics from `train`, applied to both `train` and `test`. */
export function standardize(
  train: Dataset,
  test: Dataset,
): { train: Dataset; test: Dataset; stats: NormalizationStats } {
  const stats = normalizationStats(train);
  return { train: applyNormalization(train, stats), test: applyNormalization(test, stats), stats };
}
