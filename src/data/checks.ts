import { exampleSize, type Dataset } from "./dataset.js";

export const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Class labels must be the indices 0..K−1 with every class present: a stray label (255 in an IDX file,
 * 999 or −1 in a CSV) would otherwise silently build a model with hundreds of empty classes.
 * `where(i)` names example i (a line, an index) in the message.
 */
export function assertClassIndices(
  labels: ArrayLike<number>,
  source: string,
  where: (i: number) => string,
  hint = "",
): number {
  const counts = new Map<number, number>();
  let max = -1;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!Number.isInteger(l) || l < 0)
      throw new Error(`${source}: ${where(i)} holds the label ${l}, which is not a class index (0, 1, 2, …)${hint}.`);
    counts.set(l, (counts.get(l) ?? 0) + 1);
    max = Math.max(max, l);
  }
  if (max >= 0 && counts.size < max + 1) {
    const missing = Array.from({ length: max + 1 }, (_, k) => k).filter((k) => !counts.has(k));
    const at = Array.from(labels).indexOf(max);
    throw new Error(
      `${source}: ${where(at)} holds the label ${max}, but ${missing.length} of the classes 0..${max} never occur (` +
        `${missing.slice(0, 3).join(", ")}${missing.length > 3 ? ", …" : ""})${hint}.`,
    );
  }
  return max + 1;
}

/** Every input and target is finite (a NaN pixel would surface later as a NaN loss, blamed on the learning rate). */
export function assertFiniteValues(data: Dataset, source: string): void {
  const check = (values: Float32Array, what: string, perExample: number) => {
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i]))
        throw new Error(
          `${source}: ${what} ${i % perExample} of example ${Math.floor(i / perExample)} is ${values[i]}; the data ` +
            `must hold finite numbers.`,
        );
    }
  };
  check(data.x, "input value", Math.max(1, exampleSize(data.xShape)));
  check(data.y, "target value", Math.max(1, exampleSize(data.yShape)));
}
