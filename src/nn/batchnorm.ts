import { numpy as np, lax } from "@jax-js/jax";
import { toDevice } from "../engine/index.js";
import type { Layer } from "./layer.js";

export interface BatchNormOptions {
  /** δ inside the root, σ = √(δ + mean((H − μ)²)) (8.7.1). */
  delta?: number;
  /** Weight of the newest batch in the running averages used at test time. */
  momentum?: number;
}

/**
 * Batch normalization exactly as section 8.7.1: in training, H' = (H − μ)/σ with μ and
 * σ = √(δ + mean((H − μ)²)) from the minibatch (back-propagated through both), then γH' + β.
 * Statistics are per unit over the batch, and for NHWC conv features per channel over the batch
 * and every position. Running averages (non-trainable state) normalize at test time, so a
 * single example can be evaluated. The running variance is the unbiased batch variance (as PyTorch).
 */
export function batchNorm(opts: BatchNormOptions = {}): Layer {
  const delta = opts.delta ?? 1e-5;
  const momentum = opts.momentum ?? 0.1;
  return {
    kind: "batchNorm",
    init(_key, inputShape, precision) {
      const units = inputShape[inputShape.length - 1];
      const filled = (v: number) => toDevice(new Float64Array(units).fill(v), [units], precision);
      return {
        params: { gamma: filled(1), beta: filled(0) },
        state: { mean: filled(0), variance: filled(1) },
        outputShape: inputShape,
      };
    },
    apply(params, state, x, ctx) {
      const p = params as { gamma: np.Array; beta: np.Array };
      const s = state as { mean: np.Array; variance: np.Array };
      const axes = x.shape.slice(0, -1).map((_, i) => i);
      if (!ctx.train) {
        // State passes through unchanged, so read it by reference.
        const normalized = x.sub(s.mean.ref).div(np.sqrt(s.variance.ref.add(delta)));
        return [normalized.mul(p.gamma).add(p.beta), state];
      }
      const count = axes.reduce((n, a) => n * x.shape[a], 1);
      const mu = x.ref.mean(axes);
      const centered = x.sub(mu.ref);
      const biasedVariance = np.square(centered.ref).mean(axes);
      const normalized = centered.div(np.sqrt(biasedVariance.ref.add(delta)));
      const unbiased = lax.stopGradient(biasedVariance).mul(count / Math.max(count - 1, 1));
      const newState = {
        mean: s.mean.mul(1 - momentum).add(lax.stopGradient(mu).mul(momentum)),
        variance: s.variance.mul(1 - momentum).add(unbiased.mul(momentum)),
      };
      return [normalized.mul(p.gamma).add(p.beta), newState];
    },
  };
}
