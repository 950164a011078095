import { numpy as np, nn as jnn } from "@jax-js/jax";

/**
 * Mean softmax cross-entropy: the negative log-likelihood surrogate of the 0-1 loss (8.1.2),
 * −Σ_j y_j log softmax(z)_j, through a numerically stable log-softmax. `targets` are one-hot
 * (or any distribution) rows. Consumes both arguments.
 */
export function softmaxCrossEntropy(logits: np.Array, targets: np.Array): np.Array {
  return jnn.logSoftmax(logits, -1).mul(targets).sum(-1).mean().neg();
}

/** Mean squared error, averaged over every element. Consumes both arguments. */
export function meanSquaredError(predictions: np.Array, targets: np.Array): np.Array {
  return np.square(predictions.sub(targets)).mean();
}

/** 0-1 error on the host: fraction of rows whose arg-max differs from the label. */
export function zeroOneError(logits: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): number {
  return 1 - accuracy(logits, labels, numClasses);
}

/** Fraction of rows (of `numClasses` logits each) whose arg-max is the label. */
export function accuracy(logits: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (argmax(logits, i * numClasses, numClasses) === labels[i]) correct++;
  return labels.length ? correct / labels.length : 0;
}

/** Index (within the row) of the largest of `width` entries starting at `offset`; the first one on ties. */
export function argmax(values: ArrayLike<number>, offset = 0, width = values.length - offset): number {
  let best = 0;
  for (let c = 1; c < width; c++) if (values[offset + c] > values[offset + best]) best = c;
  return best;
}

/** The training losses by name: cross-entropy for classification, MSE for regression. */
export type LossKind = "cross-entropy" | "mse";

export function lossFunction(kind: LossKind): (outputs: np.Array, targets: np.Array) => np.Array {
  return kind === "cross-entropy" ? softmaxCrossEntropy : meanSquaredError;
}
