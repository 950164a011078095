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

export function accuracy(logits: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (logits[i * numClasses + c] > logits[i * numClasses + best]) best = c;
    if (best === labels[i]) correct++;
  }
  return labels.length ? correct / labels.length : 0;
}
