import { numpy as np, type Device } from "@jax-js/jax";

export type DTypeName = "float32" | "float64";

/** Where and in which dtype a computation runs. */
export interface Precision {
  dtype: np.DType;
  device: Device;
}

/**
 * The dtype/device policy. float32 runs on Wasm (fast). float64 runs on the `cpu` device:
 * jax-js's Wasm float64 computes exp/log/tanh/pow with only float32-like accuracy
 * (docs/precision.md measures the errors), while `cpu` is exact to ~1e-15
 * at 10-35x the cost. `float64-fast` keeps float64 storage on Wasm when speed matters more.
 */
export function precisionOf(name: DTypeName | "float64-fast"): Precision {
  switch (name) {
    case "float32":
      return { dtype: np.float32, device: "wasm" };
    case "float64":
      return { dtype: np.float64, device: "cpu" };
    case "float64-fast":
      return { dtype: np.float64, device: "wasm" };
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
  return np.array(data, { dtype: precision.dtype, device: precision.device }).reshape(shape);
}
