import { numpy as np } from "@jax-js/jax";

/**
 * A schedule maps the step count k (a scalar array, k = 1 for the first update) to a value.
 * Schedules run inside the compiled step, so changing k never recompiles.
 */
export type Schedule = (k: np.Array) => np.Array;
export type ScalarOrSchedule = number | Schedule;

export const constantSchedule = (value: number): Schedule => (k) => np.zerosLike(k).add(value);

/** Eq. 8.14: ε_k = (1 − α)ε_0 + αε_τ with α = min(k/τ, 1); ε_τ defaults to ε_0/100. */
export function linearDecaySchedule(lr0: number, tau: number, lrTau = lr0 / 100): Schedule {
  return (k) => {
    const alpha = np.minimum(k.div(tau), 1);
    return alpha.ref.mul(lrTau).add(alpha.mul(-1).add(1).mul(lr0));
  };
}

/** Cosine decay from lr0 to lrEnd over `steps` (Loshchilov & Hutter), constant afterwards. */
export function cosineDecaySchedule(lr0: number, steps: number, lrEnd = 0): Schedule {
  return (k) => {
    const progress = np.minimum(k.div(steps), 1);
    return np.cos(progress.mul(Math.PI)).add(1).mul(0.5 * (lr0 - lrEnd)).add(lrEnd);
  };
}

/** Resolves a hyperparameter that may be a number or a schedule, at step k (consumes k). */
export function valueAt(value: ScalarOrSchedule, k: np.Array): np.Array | number {
  if (typeof value === "number") {
    k.dispose();
    return value;
  }
  return value(k);
}
