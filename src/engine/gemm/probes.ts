/**
 * Small probe modules the GEMM hook runs through jax-js's own dispatch to learn what jax-js does not
 * expose: whether this runtime validates relaxed SIMD, the memory jax-js instantiates its kernels
 * with (shared or not), and the byte address jax-js gave a buffer slot (the GEMM's scratch block,
 * the thread pool's buffers). The probes are prebuilt modules in modules.generated.ts.
 */
import type { MakeExecutable, WasmBackendLike } from "./jaxInternals.js";
import { GEMM_MODULES } from "./modules.generated.js";
import * as threads from "../threads/install.js";

const decode = (name: string) => Uint8Array.from(atob(GEMM_MODULES[name]), (c) => c.charCodeAt(0));

/** Whether this runtime validates relaxed-SIMD code (Node 20 needs the V8 flag, see start.ts). */
export const relaxedSimdAvailable = (): boolean => WebAssembly.validate(decode("peak-fma"));

/** Reads the byte address jax-js gave a buffer slot, by running a two-line probe kernel on it. */
export function slotAddress(
  wasm: WasmBackendLike,
  makeExecutable: MakeExecutable,
  shared: boolean,
  slot: number,
): number {
  const module = new WebAssembly.Module(decode(`probe-${shared ? "shared" : "plain"}`));
  const out = wasm.malloc(4);
  const exe = makeExecutable(
    { probe: true },
    { program: { kernelHash: "descent-probe", module, workSize: 1 }, sync: true },
  );
  wasm.dispatch(exe, [slot], [out]);
  const address = new DataView(wasm.readSync(out).buffer).getUint32(0, true);
  wasm.decRef(out);
  return address;
}

/** The memory jax-js's dispatch instantiates kernels with (caught while it runs a probe), if it still does. */
export function jaxKernelMemory(wasm: WasmBackendLike, makeExecutable: MakeExecutable): WebAssembly.Memory | undefined {
  const memorySlot = wasm.malloc(4);
  const memory = threads.jaxMemory(() =>
    wasm.dispatch(
      makeExecutable(
        { probe: true },
        {
          program: { kernelHash: "descent-memory", module: new WebAssembly.Module(decode("probe-plain")) },
          sync: true,
        },
      ),
      [memorySlot],
      [memorySlot],
    ),
  );
  wasm.decRef(memorySlot);
  return memory;
}
