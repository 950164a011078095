/** The bundled MNIST digits at each experiment size, and helpers shared by the digit experiments. */
import { mnistSplit, subset, type Dataset } from "../../data/index.js";
import type { MetricsRecord } from "../../train/index.js";
import type { ExperimentSize } from "./types.js";

const SIZES: Record<ExperimentSize, [number, number]> = { smoke: [256, 128], quick: [2000, 1000], full: [8000, 2000] };

/**
 * Train and test digits for `size` (the same split for every seed: seeds vary the initialization and the batch order).
 */
export function digits(size: ExperimentSize): { train: Dataset; test: Dataset } {
  const { train, test } = mnistSplit(0);
  const [n, m] = SIZES[size];
  return {
    train: subset(
      train,
      Array.from({ length: n }, (_, i) => i),
      train.name,
    ),
    test: subset(
      test,
      Array.from({ length: m }, (_, i) => i),
      test.name,
    ),
  };
}

/** Per-epoch curves averaged over seeds: rows {epoch, [variant]: mean of `field`}. */
export function meanCurves(
  curves: Record<string, MetricsRecord[][]>,
  field: keyof MetricsRecord,
): Record<string, number | null>[] {
  const variants = Object.keys(curves);
  const epochs = Math.max(...variants.map((v) => Math.max(...curves[v].map((c) => c.length))));
  return Array.from({ length: epochs }, (_, e) => {
    const row: Record<string, number | null> = { epoch: e + 1 };
    for (const v of variants) {
      const values = curves[v].map((c) => c[e]?.[field]).filter((x): x is number => typeof x === "number");
      row[v] = values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
    }
    return row;
  });
}
