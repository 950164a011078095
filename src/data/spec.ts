/**
 * The CLI's dataset strings (`mnist`, `idx:PATH`, `csv:PATH`, `spirals`, `blobs`, `adding`,
 * `regression`) → a train/test pair, deterministic by seed.
 */
import { statSync } from "node:fs";
import { random } from "../engine/index.js";
import { subset, type Dataset } from "./dataset.js";
import { assertFiniteValues } from "./checks.js";
import { loadCsvDataset, type CsvOptions } from "./csv.js";
import { loadIdxDataset, loadIdxSplits } from "./idx.js";
import { mnistSplit } from "./mnist.js";
import { validationSplit } from "./split.js";
import { addingProblem, gaussianBlobs, linearRegression, twoSpirals } from "./synthetic.js";

export const DATASET_SPECS = ["mnist", "idx:PATH", "csv:PATH", "spirals", "blobs", "adding", "regression"] as const;

const TEST_FRACTION = 0.2;

// One stream per spec kind, so e.g. `spirals` and `blobs` at the same seed are unrelated.
const keyFor = (seed: number, stream: number) => random.foldIn(random.randomKey(seed), stream);

// 80/20 split of a loaded file by seed.
function splitBySeed(data: Dataset, seed: number): { train: Dataset; test: Dataset } {
  const { train, validation } = validationSplit(data, TEST_FRACTION, keyFor(seed, 0x7370)); // "sp"
  return { train: { ...train, name: `${data.name}/train` }, test: { ...validation, name: `${data.name}/test` } };
}

// One draw of train + test examples, so both share a generator's hidden structure (centres, w*).
function firstRest(data: Dataset, trainSize: number): { train: Dataset; test: Dataset } {
  const idx = Int32Array.from({ length: data.size }, (_, i) => i);
  return {
    train: subset(data, idx.subarray(0, trainSize), `${data.name}/train`),
    test: subset(data, idx.subarray(trainSize), `${data.name}/test`),
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // a missing path is reported by the loader, with its own message
  }
}

/** Parses a dataset spec string and loads (or generates) its train and test sets; `csv` applies to csv:PATH only. */
export function parseDatasetSpec(spec: string, seed: number, csv: CsvOptions = {}): { train: Dataset; test: Dataset } {
  const s = spec.trim();
  if (!s.startsWith("csv:") && Object.values(csv).some((v) => v !== undefined))
    throw new Error(
      `the CSV options (label column, task, delimiter) apply to csv:PATH datasets only, not to "${spec}"`,
    );
  const splits = loadSpec(s, seed, csv);
  // File data is checked once here; the generated datasets are finite by construction.
  if (s.startsWith("idx:") || s.startsWith("csv:"))
    for (const part of [splits.train, splits.test]) assertFiniteValues(part, part.name);
  if (splits.train.size === 0 || splits.test.size === 0) {
    throw new Error(
      `${spec} has ${splits.train.size + splits.test.size} examples, too few for a train set and a ` +
        `${TEST_FRACTION * 100}% test set (at least ${Math.ceil(1 / TEST_FRACTION)} needed)`,
    );
  }
  return splits;
}

function loadSpec(s: string, seed: number, csv: CsvOptions): { train: Dataset; test: Dataset } {
  if (s === "mnist") return mnistSplit(seed);
  if (s.startsWith("idx:") && s.length > 4) {
    const path = s.slice(4);
    if (isDirectory(path)) {
      const { train, test } = loadIdxSplits(path);
      if (test) return { train, test };
      return splitBySeed(train, seed);
    }
    return splitBySeed(loadIdxDataset(path), seed);
  }
  if (s.startsWith("csv:") && s.length > 4) return splitBySeed(loadCsvDataset(s.slice(4), csv), seed);
  if (s === "spirals") return firstRest(twoSpirals({ count: 1500, key: keyFor(seed, 1) }), 1000);
  if (s === "blobs") return firstRest(gaussianBlobs({ count: 1500, classes: 3, dim: 2, key: keyFor(seed, 2) }), 1000);
  if (s === "adding") return firstRest(addingProblem({ count: 2500, length: 50, key: keyFor(seed, 3) }), 2000);
  if (s === "regression")
    return firstRest(
      linearRegression({ count: 2500, dim: 20, conditionNumber: 100, key: keyFor(seed, 4) }).dataset,
      2000,
    );
  throw new Error(`Unknown dataset spec "${s}"; expected one of: ${DATASET_SPECS.join(", ")}.`);
}
