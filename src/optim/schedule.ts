import { numpy as np } from "@jax-js/jax";

/**
 * A schedule maps the update count k (a scalar array, k = 1 for the first update) to a value.
 * It consumes k. Schedules run inside the compiled step, so changing k never recompiles.
 * Any scalar hyperparameter of a transformation may be a schedule.
 */
export type Schedule = (k: np.Array) => np.Array;
export type ScalarOrSchedule = number | Schedule;

export const constantSchedule =
  (value: number): Schedule =>
  (k) =>
    np.zerosLike(k).add(value);

/** Eq. 8.14: ε_k = (1 − α)ε_0 + αε_τ with α = min(k/τ, 1); ε_τ defaults to ε_0/100. */
export function linearDecaySchedule(lr0: number, tau: number, lrTau = lr0 / 100): Schedule {
  if (!(tau > 0)) throw new Error(`linear decay needs τ > 0 steps, got ${tau}`);
  return (k) => {
    const alpha = np.minimum(k.div(tau), 1);
    return alpha.ref.mul(lrTau).add(alpha.mul(-1).add(1).mul(lr0));
  };
}

/**
 * Cosine decay from `init` to `end` over `steps` (Loshchilov &
 * Hutter), α = min(k/steps, 1) as in eq. 8.14; constant afterwards.
 */
export function cosineDecaySchedule(init: number, steps: number, end = 0): Schedule {
  if (!(steps > 0)) throw new Error(`cosine decay needs steps > 0, got ${steps}`);
  return (k) => {
    const progress = np.minimum(k.div(steps), 1);
    return np
      .cos(progress.mul(Math.PI))
      .add(1)
      .mul(0.5 * (init - end))
      .add(end);
  };
}

/**
 * Piecewise constant: `init`, multiplied by `factor` after
 * every `every` updates (PyTorch's StepLR, counted in updates).
 */
export function stepSchedule(init: number, every: number, factor: number): Schedule {
  if (!(every >= 1)) throw new Error(`step schedule needs every >= 1, got ${every}`);
  return (k) => {
    return powerOf(factor, np.floor(k.sub(1).div(every))).mul(init);
  };
}

/** init · rate^((k−1)/every): the first update uses `init` (smooth exponential decay). */
export function exponentialSchedule(init: number, rate: number, every = 1): Schedule {
  if (!(rate > 0)) throw new Error(`exponential schedule needs rate > 0, got ${rate}`);
  return (k) => {
    return powerOf(rate, k.sub(1).div(every)).mul(init);
  };
}

/** init / (1 + (k−1)·decay): PyTorch Adagrad's `lr_decay`. */
export function inverseTimeSchedule(init: number, decay: number): Schedule {
  return (k) => np.reciprocal(k.sub(1).mul(decay).add(1)).mul(init);
}

/**
 * Linear warm-up from `start` to `peak` over the first `steps` updates (k = steps gives `peak`), then
 * `after`, counted from the end of the warm-up (its k = 1 is update steps + 1).
 */
export function warmupSchedule(steps: number, peak: number, after: ScalarOrSchedule, start = 0): Schedule {
  if (!(steps >= 1)) throw new Error(`warm-up needs steps >= 1, got ${steps}`);
  const next = typeof after === "number" ? constantSchedule(after) : after;
  return (k) => {
    const warming = k.ref.lessEqual(steps);
    const ramp = k.ref.mul((peak - start) / steps).add(start);
    const later = next(np.maximum(k.sub(steps), 1));
    return np.where(warming, ramp, later);
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

/**
 * base^exponent for a positive base (consumes exponent), as exp(exponent · ln base) with ln base taken
 * on the host. Not `np.power`: in jax-js 0.1.25 its Wasm version loses ~1.2e-5 relative accuracy per unit
 * of exponent (0.999^100 is off by 1.2e-3), and `np.power(number, array)` rounds the number to float32.
 */
export function powerOf(base: number, exponent: np.Array): np.Array {
  if (!(base > 0)) throw new Error(`powerOf needs a positive base, got ${base}`);
  return np.exp(exponent.mul(Math.log(base)));
}
