/**
 * Inexact gradients (8.1.3, 8.2.6): a minibatch of m examples estimates the full-batch gradient g
 * with standard error σ/√m, where σ² = tr Cov(∇ℓ_i) = (1/N) Σ_i ‖∇ℓ_i − g‖² is the per-example
 * gradient variance. Measures ‖g_B − g‖ over random minibatches of several sizes against that
 * prediction (with the finite-population factor (N − m)/(N − 1) of sampling without replacement).
 */
import { numpy as np } from "@jax-js/jax";
import { disposeTree, flattenTree, random, type Key, type Precision, type Tree } from "../engine/index.js";
import type { Dataset } from "../data/dataset.js";
import { deviceBatch, disposeBatches, weightedBatches } from "./modelLoss.js";
import { compileValueAndGrad, type TreeLoss } from "./treeHvp.js";

export interface GradientNoiseRow {
  batchSize: number;
  draws: number;
  /** √ mean ‖g_B − g‖² over the draws. */
  rmsError: number;
  /** σ/√m, the book's standard error of the mean. */
  standardError: number;
  /** σ/√m · √((N − m)/(N − 1)): the exact expectation for sampling without replacement. */
  predictedRms: number;
  /** rmsError / ‖g‖. */
  relativeError: number;
  /** The examples of each draw (indices into the dataset), so that any ‖g_B − g‖ can be recomputed. */
  drawIndices: number[][];
}

export interface GradientNoise {
  /** ‖g‖ of the full-batch gradient. */
  fullGradNorm: number;
  /** σ, estimated from `varianceSamples` single-example gradients. */
  sigma: number;
  examples: number;
  /** The single examples whose gradients estimated σ. */
  varianceIndices: number[];
  rows: GradientNoiseRow[];
}

export interface GradientNoiseOptions {
  /** modelLoss-style: data = [modelState, x, y]. */
  loss: TreeLoss;
  params: Tree;
  modelState: Tree;
  data: Dataset;
  precision: Precision;
  batchSizes: number[];
  /** Minibatches drawn per size. Default 20. */
  draws?: number;
  /** Single examples used to estimate σ (all of them when larger than N). Default 256. */
  varianceSamples?: number;
  key?: Key;
  /**
   * Compile the gradient even in float64 (default true): exact
   * there too (src/engine/float64Constants.ts), and much faster.
   */
  jit?: boolean;
}

export function gradientNoise(opts: GradientNoiseOptions): GradientNoise {
  const { data, precision } = opts;
  const N = data.size;
  const key = opts.key ?? random.randomKey(0);
  const vg = compileValueAndGrad(opts.loss, precision, opts.jit ?? true);
  const gradientOf = (indices: ArrayLike<number>): Float64Array => {
    const { x, y } = deviceBatch(data, indices, precision);
    const [f, g] = vg.run(opts.params, opts.modelState, x, y);
    (f as np.Array).dispose();
    const flat = flattenTree(g);
    disposeTree([g, x, y]);
    return flat;
  };
  const distanceSq = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0);
  try {
    // The full-batch gradient, chunk by chunk (weights n_b/N).
    const batches = weightedBatches(data, opts.modelState, precision);
    let full: Float64Array | undefined;
    for (const b of batches) {
      const [f, g] = vg.run(opts.params, ...b.data);
      (f as np.Array).dispose();
      const flat = flattenTree(g);
      disposeTree(g);
      full ??= new Float64Array(flat.length);
      for (let i = 0; i < flat.length; i++) full[i] += b.weight * flat[i];
    }
    disposeBatches(batches);
    const g = full!;
    const fullGradNorm = Math.sqrt(g.reduce((s, v) => s + v * v, 0));

    const samples = Math.min(opts.varianceSamples ?? 256, N);
    const chosen = random.permutation(random.foldIn(key, 1), N).subarray(0, samples);
    const sigma = Math.sqrt(Array.from(chosen).reduce((s, i) => s + distanceSq(gradientOf([i]), g), 0) / samples);

    const draws = opts.draws ?? 20;
    const rows = opts.batchSizes.map((m, k): GradientNoiseRow => {
      if (!(m >= 1 && m <= N)) throw new Error(`batch size ${m} is not between 1 and the ${N} examples`);
      let sum = 0;
      const drawIndices: number[][] = [];
      for (let d = 0; d < draws; d++) {
        const batch = random.permutation(random.foldIn(key, 1000 * (k + 2) + d), N).subarray(0, m);
        drawIndices.push(Array.from(batch));
        sum += distanceSq(gradientOf(batch), g);
      }
      const rmsError = Math.sqrt(sum / draws);
      const standardError = sigma / Math.sqrt(m);
      return {
        batchSize: m,
        draws,
        rmsError,
        standardError,
        predictedRms: N > 1 ? standardError * Math.sqrt((N - m) / (N - 1)) : 0,
        relativeError: rmsError / fullGradNorm,
        drawIndices,
      };
    });
    return { fullGradNorm, sigma, examples: N, varianceIndices: Array.from(chosen), rows };
  } finally {
    vg.dispose();
  }
}
