/**
 * Continuation methods (8.7.6): a sequence of blurred objectives
 *   J⁽ⁱ⁾(θ) = E_{θ′ ~ N(θ, σᵢ² I)} J(θ′)                                      (eq. 8.40)
 * with σ₀ > σ₁ > … (the last usually 0, the true objective), each minimized from the previous
 * one's solution. The blurred gradient ∇J⁽ⁱ⁾(θ) = E[∇J(θ + σᵢ ε)], ε ~ N(0, I), is estimated by
 * sampling (all samples in one compiled, vmapped call); antithetic pairs ±ε cancel the odd terms
 * of J's Taylor expansion, a cheap variance reduction.
 * The objective is any `minimize`-style function of a flat θ (a Problem), e.g. a network's loss
 * through `modelObjective`.
 */
import { numpy as np, jit, valueAndGrad, vmap } from "@jax-js/jax";
import { random, toDevice, type Precision } from "../engine/index.js";
import type { Problem } from "../problems/index.js";

export interface BlurredEstimate {
  /** Monte-Carlo estimate of J⁽ⁱ⁾(θ). */
  value: number;
  /** Monte-Carlo estimate of ∇J⁽ⁱ⁾(θ). */
  grad: Float64Array;
  /** Standard error of each gradient coordinate (0 when σ = 0). */
  gradStdErr: Float64Array;
}

export interface BlurOptions {
  sigma: number;
  /** Perturbations per estimate (even when antithetic). */
  samples: number;
  antithetic?: boolean;
}

/** The blurred objective's sampled value and gradient at host points. Call dispose() when done. */
export function blurredObjective(problem: Problem, precision: Precision) {
  const dim = problem.dim;
  const batched = jit(vmap(valueAndGrad(problem.f)));
  return {
    /** Estimates J⁽σ⁾ and its gradient at θ from `samples` draws of ε (from `key`). */
    estimate(theta: ArrayLike<number>, key: random.Key, blur: BlurOptions): BlurredEstimate {
      // σ = 0 is the true objective: one exact evaluation.
      const o = blur.sigma === 0 ? { sigma: 0, samples: 1, antithetic: false } : blur;
      const n = o.samples;
      if (!(Number.isInteger(n) && n >= 1))
        throw new Error(`continuation: samples must be a positive integer, got ${o.samples}`);
      if (o.antithetic && n % 2 !== 0)
        throw new Error(`continuation: antithetic sampling needs an even number of samples, got ${n}`);
      if (!(o.sigma >= 0)) throw new Error(`continuation: σ must be non-negative, got ${o.sigma}`);
      const drawn = random.normal(key, (o.antithetic ? n / 2 : n) * dim);
      const points = new Float64Array(n * dim);
      for (let s = 0; s < n; s++) {
        for (let j = 0; j < dim; j++) {
          const eps = o.antithetic ? (s % 2 === 0 ? 1 : -1) * drawn[(s >> 1) * dim + j] : drawn[s * dim + j];
          points[s * dim + j] = theta[j] + o.sigma * eps;
        }
      }
      const [values, grads] = batched(toDevice(points, [n, dim], precision)) as unknown as [np.Array, np.Array];
      const v = values.dataSync() as ArrayLike<number>;
      const g = grads.dataSync() as ArrayLike<number>;
      const value = Array.from(v).reduce((a, b) => a + b, 0) / n;
      const grad = new Float64Array(dim);
      const gradStdErr = new Float64Array(dim);
      // Antithetic pairs are the independent units: average each pair first.
      const units = o.antithetic ? n / 2 : n;
      const unit = (u: number, j: number) =>
        o.antithetic ? (g[2 * u * dim + j] + g[(2 * u + 1) * dim + j]) / 2 : g[u * dim + j];
      for (let j = 0; j < dim; j++) {
        let sum = 0;
        for (let u = 0; u < units; u++) sum += unit(u, j);
        grad[j] = sum / units;
        let sq = 0;
        for (let u = 0; u < units; u++) sq += (unit(u, j) - grad[j]) ** 2;
        gradStdErr[j] = units > 1 ? Math.sqrt(sq / (units - 1) / units) : 0;
      }
      return { value, grad, gradStdErr };
    },
    dispose: () => batched.dispose(),
  };
}

/** σ from `start` down to `end` geometrically over `count` stages, then a final σ = 0 stage (the true objective). */
export function geometricSigmas(start: number, end: number, count: number): number[] {
  if (!(start >= end && end > 0 && Number.isInteger(count) && count >= 1))
    throw new Error(`geometricSigmas needs start ≥ end > 0 and count ≥ 1, got ${start}, ${end}, ${count}`);
  const ratio = count === 1 ? 1 : (end / start) ** (1 / (count - 1));
  return [...Array.from({ length: count }, (_, i) => start * ratio ** i), 0];
}

export interface ContinuationOptions {
  /** σ of each stage, in order (e.g. geometricSigmas(…)). */
  sigmas: number[];
  /** Gradient-descent steps per stage. */
  stepsPerStage: number;
  /** Step size ε of θ ← θ − ε ĝ. */
  lr: number;
  samples: number;
  antithetic?: boolean;
  seed: number;
  precision: Precision;
}

export interface ContinuationResult {
  x: Float64Array;
  /** The solution and the true objective J at the end of each stage (each one starts the next). */
  stages: { sigma: number; x: Float64Array; fun: number }[];
}

/** Minimizes each blurred objective in turn by stochastic gradient descent, warm-starting each stage from the last. */
export function continuation(problem: Problem, x0: ArrayLike<number>, o: ContinuationOptions): ContinuationResult {
  if (!o.sigmas.length) throw new Error("continuation needs at least one σ");
  if (!(o.lr > 0)) throw new Error(`continuation: lr must be positive, got ${o.lr}`);
  const blurred = blurredObjective(problem, o.precision);
  const x = Float64Array.from(x0);
  const stages: ContinuationResult["stages"] = [];
  const key = random.randomKey(o.seed);
  let step = 0;
  try {
    for (const sigma of o.sigmas) {
      for (let k = 0; k < o.stepsPerStage; k++) {
        const { grad } = blurred.estimate(x, random.foldIn(key, step++), {
          sigma,
          samples: o.samples,
          antithetic: o.antithetic,
        });
        for (let j = 0; j < x.length; j++) x[j] -= o.lr * grad[j];
      }
      stages.push({ sigma, x: Float64Array.from(x), fun: blurred.estimate(x, key, { sigma: 0, samples: 1 }).value });
    }
  } finally {
    blurred.dispose();
  }
  return { x, stages };
}
