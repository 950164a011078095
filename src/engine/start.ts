import "./polyfills.js";
import "./float64Constants.js";
import { defaultDevice, init, type Device } from "@jax-js/jax";

let started: Promise<Device> | undefined;

const isNode = typeof process !== "undefined" && !!process.versions?.node;

/**
 * Starts jax-js once per process. Node: the Wasm device (plain `init()` touches `navigator`),
 * plus the exact `cpu` device for float64 work. Browser: WebGPU when offered, else Wasm.
 * Returns the default device.
 */
export function startEngine(): Promise<Device> {
  started ??= (async () => {
    if (isNode) {
      await init("wasm", "cpu");
      defaultDevice("wasm");
      return "wasm";
    }
    const devices = await init();
    const best: Device = devices.includes("webgpu") ? "webgpu" : "wasm";
    defaultDevice(best);
    return best;
  })();
  return started;
}
