import { numpy as np } from "@jax-js/jax";
import type { ScalarOrSchedule } from "./schedule.js";

/** A hyperparameter's value at one step: a plain number, or a scalar array when it is scheduled. */
export type Resolved = number | np.Array;

/** The value of `h` at update k (borrows k). Release array values with `release`. */
export function resolve(h: ScalarOrSchedule, k: np.Array): Resolved {
  return typeof h === "number" ? h : h(k.ref);
}

/** The value for one use in an op (ops consume their arguments): numbers as they are, arrays with a new reference. */
export const use = (r: Resolved): number | np.Array => (typeof r === "number" ? r : r.ref);

/**
 * `use(r)` for free functions (np.maximum, np.clip): a number becomes a scalar of `like`'s dtype, since
 * jax-js would round it to float32 inside a jit-compiled float64 program. Borrows `like`.
 */
export const useAs = (like: np.Array, r: Resolved): np.Array =>
  typeof r === "number" ? np.full([], r, { dtype: like.dtype, device: like.device }) : r.ref;

/** 1 − r (consumes r). */
export const oneMinus = (r: Resolved): Resolved => (typeof r === "number" ? 1 - r : r.neg().add(1));

export function release(...values: Resolved[]): void {
  for (const v of values) if (typeof v !== "number") v.dispose();
}

/** Whether a hyperparameter is the constant `value` (so a transform can skip work, e.g. no weight decay). */
export const isConstant = (h: ScalarOrSchedule, value: number): boolean => typeof h === "number" && h === value;
