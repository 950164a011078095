/** Datasets on the host: loaders (MNIST, IDX, CSV), synthetic problems, splits and minibatch sampling. */
export { type Dataset, exampleSize, gatherBatch, subset } from "./dataset.js";
export { loadMnistDigits, mnistSplit, MNIST_TRAIN_SIZE } from "./mnist.js";
export { readIdx, loadIdxDataset, loadIdxSplits, type IdxType } from "./idx.js";
export { loadCsvDataset, type CsvOptions, type CsvDataset } from "./csv.js";
export { twoSpirals, gaussianBlobs, linearRegression, addingProblem, randomOrthogonal } from "./synthetic.js";
export {
  epochBatches,
  batchesPerEpoch,
  oneHot,
  SAMPLING_REGIMES,
  type SamplingRegime,
  type EpochOptions,
} from "./sampler.js";
export {
  validationSplit,
  normalizationStats,
  applyNormalization,
  standardize,
  type NormalizationStats,
} from "./split.js";
export { parseDatasetSpec } from "./spec.js";
