import { numpy as np, type Device } from "@jax-js/jax";
import { exactFloat64Unavailable } from "./f64/hook.js";

export type DTypeName = "float32" | "float64";

/** Where and in which dtype a computation runs. */
export interface Precision {
  dtype: np.DType;
  device: Device;
}

/**
 * The dtype/device policy: both dtypes run on Wasm. float64 is exact there because the kernels
 * jax-js would compute with float32-accurate exp/log/sin/… run as compiled JavaScript
 * (engine/f64/hook.ts; docs/precision.md measures the errors). Should that path be unavailable
 * (DESCENT_EXACT_F64=0, or jax-js internals changed), float64 falls back to the exact `cpu` device.
 * `float64-fast`, the former name of float64 on Wasm, is an alias of `float64`.
 */
export function precisionOf(name: DTypeName | "float64-fast"): Precision {
  switch (name) {
    case "float32":
      return { dtype: np.float32, device: "wasm" };
    case "float64":
    case "float64-fast":
      return { dtype: np.float64, device: exactFloat64Unavailable() ? "cpu" : "wasm" };
  }
}

export function dtypeName(dtype: np.DType): DTypeName {
  if (dtype === np.float32) return "float32";
  if (dtype === np.float64) return "float64";
  throw new Error(`unsupported dtype ${dtype}: use float32 or float64`);
}

/** Copies host numbers into a new device array of the given precision. */
export function toDevice(values: ArrayLike<number>, shape: number[], precision: Precision): np.Array {
  const data = precision.dtype === np.float64 ? Float64Array.from(values) : Float32Array.from(values);
  const flat = np.array(data, { dtype: precision.dtype, device: precision.device });
  // A vector is already in shape: skip the reshape (a jax-js op, ~2.5 µs a call in a solver's loop).
  return shape.length === 1 && shape[0] === data.length ? flat : flat.reshape(shape);
}
