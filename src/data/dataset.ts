/**
 * A dataset held on the host: examples laid out contiguously, row-major.
 * Classification targets are class indices (stored as numbers in `y`, yShape = []);
 * regression targets are real vectors of shape yShape.
 */
export interface Dataset {
  name: string;
  /** Inputs, `size` examples of shape xShape each. */
  x: Float32Array;
  xShape: number[];
  /** Targets, `size` examples of shape yShape each (class index when yShape is []). */
  y: Float32Array;
  yShape: number[];
  /** Number of classes (classification), or 0 for regression. */
  numClasses: number;
  size: number;
}

export const exampleSize = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** The examples at `indices`, copied into a new Dataset (used for splits and minibatches). */
export function subset(data: Dataset, indices: ArrayLike<number>, name = data.name): Dataset {
  const { x, y } = gatherBatch(data, indices);
  return { ...data, name, x, y, size: indices.length };
}

/** The inputs and targets of the examples at `indices`, copied into fresh contiguous arrays. */
export function gatherBatch(data: Dataset, indices: ArrayLike<number>): { x: Float32Array; y: Float32Array } {
  const xs = exampleSize(data.xShape);
  const ys = exampleSize(data.yShape);
  const x = new Float32Array(indices.length * xs);
  const y = new Float32Array(indices.length * ys);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    // A bad index would otherwise copy a short (or empty) slice silently.
    if (!Number.isInteger(j) || j < 0 || j >= data.size)
      throw new Error(`gatherBatch index ${j} is outside dataset ${data.name} of ${data.size} examples.`);
    x.set(data.x.subarray(j * xs, (j + 1) * xs), i * xs);
    y.set(data.y.subarray(j * ys, (j + 1) * ys), i * ys);
  }
  return { x, y };
}
