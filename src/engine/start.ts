import "./polyfills.js";
import "./float64Constants.js";
import { defaultDevice, init, type Device } from "@jax-js/jax";
import { installGemm } from "./gemm/hook.js";
import { installCpuCompiler } from "./cpu/hook.js";
import { checkThreadRequest } from "./threads/install.js";
import { installExactFloat64 } from "./f64/hook.js";
import { installFloat64Literals } from "./float64Literals.js";

let started: Promise<Device> | undefined;

const isNode = typeof process !== "undefined" && !!process.versions?.node;

/**
 * Node 20 validates `f32x4.relaxed_madd` only with --experimental-wasm-relaxed-simd (on by default
 * from Node 22), and refuses that flag in NODE_OPTIONS; setting it before the first Wasm compile
 * makes jax-js's feature probe and our GEMM use fused multiply-add.
 */
async function enableRelaxedSimd(): Promise<void> {
  const v8 = (await import(/* @vite-ignore */ "node:" + "v8")) as typeof import("node:v8");
  v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
}

/**
 * Starts jax-js once per process. Node: the Wasm device (plain `init()` touches `navigator`),
 * plus the exact `cpu` device for float64 work. Browser: WebGPU when offered, else Wasm.
 * Either way matmul-shaped Wasm kernels then run on Descent's packed GEMM (engine/gemm/hook.ts),
 * and the cpu device runs compiled kernels (engine/cpu/hook.ts).
 * Returns the default device.
 */
export function startEngine(): Promise<Device> {
  started ??= (async () => {
    if (isNode) {
      checkThreadRequest();
      await enableRelaxedSimd();
      await init("wasm", "cpu");
      defaultDevice("wasm");
      await installFloat64Literals();
      await installGemm();
      await installCpuCompiler();
      await installExactFloat64();
      return "wasm";
    }
    const devices = await init();
    const best: Device = devices.includes("webgpu") ? "webgpu" : "wasm";
    defaultDevice(best);
    await installFloat64Literals();
    if (devices.includes("wasm")) await installGemm();
    if (devices.includes("wasm")) await installExactFloat64();
    return best;
  })();
  return started;
}
