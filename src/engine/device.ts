import { defaultDevice, type Device } from "@jax-js/jax";

/**
 * Runs `fn` with `device` as jax-js's default device, then restores the previous one.
 *
 * Why: arrays a traced function creates without a device (jax-js's zero tangents for closed-over
 * data, `np.zeros`, …) become constants of the compiled program on the default device. When the
 * program runs on another device, jax-js copies and re-materializes every such constant on every
 * call (measured: a 500×20 zero matrix per logistic gradient on the cpu device).
 */
export function withDefaultDevice<T>(device: Device, fn: () => T): T {
  const previous = defaultDevice();
  if (previous === device) return fn();
  defaultDevice(device);
  try {
    return fn();
  } finally {
    defaultDevice(previous);
  }
}

/** A function (a jit-compiled one, typically) whose every call runs with `device` as the default device. */
export function onDevice<A extends unknown[], R>(device: Device, f: (...args: A) => R): (...args: A) => R {
  return (...args: A) => withDefaultDevice(device, () => f(...args));
}
