import { polyakAveraging } from "./averaging.js";
import { clipByGlobalNorm, clipByTensorNorm, clipByValue } from "./clipping.js";
import { skipNonFiniteUpdates } from "./nonFinite.js";
import { masked, weightDecayMask, type ParamMask } from "./masked.js";
import { optimizerPreset } from "./presets.js";
import type { ScalarOrSchedule } from "./schedule.js";
import type { BuildContext } from "./spec.js";
import { chain, type GradientTransformation } from "./transform.js";
import { addDecayedWeights, decoupledWeightDecay } from "./weightDecay.js";

/** A named optimizer with the training extras around it (what `descent train`'s config describes). */
export interface ComposedOptimizer {
  name: string;
  /** Parsed hyperparameters of the named optimizer, without its learning rate. */
  hyperparameters: Record<string, unknown>;
  lr: ScalarOrSchedule;
  /** Gradient clipping (8.2.4), applied in this order: by value, per tensor, by global norm. */
  clipValue?: number;
  clipTensorNorm?: number;
  clipNorm?: number;
  /** λ of the L2 penalty λ/2‖θ‖², added to the gradient before the optimizer (coupled). */
  weightDecay?: number;
  /** λ of θ ← θ − ελθ after the optimizer (decoupled, as AdamW). */
  decoupledWeightDecay?: number;
  /**
   * The parameters both weight decays apply to (default `weightDecayMask`:
   * not biases, not batch-norm γ/β; "all" for every one).
   */
  weightDecayMask?: ParamMask | "all";
  /** Polyak averaging (8.7.3) of the iterates; the Trainer evaluates the average. */
  average?: "none" | "uniform" | "exponential";
  /** α of eq. 8.39 for the exponential average. */
  averageDecay?: number;
  /** Skip (and count) updates whose gradient is not finite instead of stopping. */
  skipNonFinite?: boolean;
}

/**
 * clip → coupled decay → optimizer → decoupled decay (both decays on the masked
 * parameters), then averaged, then guarded against non-finite gradients.
 */
export function composeOptimizer(spec: ComposedOptimizer, ctx: BuildContext = {}): GradientTransformation {
  const core = optimizerPreset(spec.name).build({ ...spec.hyperparameters, lr: spec.lr }, ctx);
  const before: GradientTransformation[] = [];
  if (spec.clipValue !== undefined) before.push(clipByValue(spec.clipValue));
  if (spec.clipTensorNorm !== undefined) before.push(clipByTensorNorm(spec.clipTensorNorm));
  if (spec.clipNorm !== undefined) before.push(clipByGlobalNorm(spec.clipNorm));
  const decayMask = spec.weightDecayMask ?? weightDecayMask;
  const onDecayed = (t: GradientTransformation) => (decayMask === "all" ? t : masked(t, decayMask));
  if (spec.weightDecay) before.push(onDecayed(addDecayedWeights(spec.weightDecay)));
  const after = spec.decoupledWeightDecay ? [onDecayed(decoupledWeightDecay(spec.decoupledWeightDecay, spec.lr))] : [];
  let optimizer = before.length || after.length ? chain(...before, core, ...after) : core;
  if (spec.average && spec.average !== "none") {
    optimizer = polyakAveraging(
      optimizer,
      spec.average === "uniform" ? { kind: "uniform" } : { kind: "exponential", alpha: spec.averageDecay ?? 0.999 },
    );
  }
  return spec.skipNonFinite ? skipNonFiniteUpdates(optimizer) : optimizer;
}
