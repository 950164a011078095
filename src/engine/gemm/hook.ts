/**
 * Routes jax-js's matmul-shaped Wasm kernels to Descent's packed GEMM, at kernel preparation.
 *
 * A runtime hook rather than a patch of node_modules: it is installed by startEngine, works the
 * same for `npm ci`, for users installing Descent as a dependency (no postinstall, no hoisting
 * questions) and under bundlers, and it only uses the Wasm backend's public methods
 * (prepareKernel[Sync], malloc, dispatch, readSync) plus a few internals of the pinned jax-js
 * 0.1.25 chunk (jaxInternals.ts). A matched kernel gets an Executable whose module is our GEMM with that kernel's
 * shapes baked in; jax-js instantiates and calls it exactly like its own code, so jit, grad and
 * vmap are untouched. Anything unmatched, or any surprise in the internals, falls back to jax-js.
 *
 * This file puts the parts together: jaxInternals.ts (what it reaches in jax-js), probes.ts,
 * kernelRouting.ts (kernel → program), preparation.ts (the wrapped preparations), jitRoutes.ts
 * (the jit program runner and rewrites), the thread pool (../threads/), status.ts and switches.ts.
 * It re-exports the switches and the status, the hook's public face for the engine, tests and benches.
 */
import { GEMM_SCRATCH_BYTES } from "./module.js";
import type { AluNode } from "./match.js";
import { loadJaxInternals, type WasmBackendLike } from "./jaxInternals.js";
import { jaxKernelMemory, relaxedSimdAvailable, slotAddress } from "./probes.js";
import { kernelRouter } from "./kernelRouting.js";
import { routePreparation } from "./preparation.js";
import { installJitRoutes } from "./jitRoutes.js";
import { status, type GemmStatus } from "./status.js";
import * as threads from "../threads/install.js";

export { relaxedSimdAvailable } from "./probes.js";
export { gemmStatus, type GemmStatus } from "./status.js";
export {
  setGemmEnabled,
  setReciprocalEnabled,
  setViewSumEnabled,
  setReluMaskEnabled,
  setTransposeFusionEnabled,
  setProgramCacheEnabled,
  setCopyElisionEnabled,
  setKernelMergeEnabled,
  setSimdExpEnabled,
  setProgramRunnerEnabled,
  setCopyFoldingEnabled,
  setMaxPoolEnabled,
  setViewSumThreadsEnabled,
  setViewSumRowOrderEnabled,
  setSmallProbesEnabled,
} from "./switches.js";

/** Byte offset of the GEMM's call counter inside its scratch block (scripts/gemm/wat.ts SCRATCH.calls). */
const CALLS_OFFSET = 256;

let backend: WasmBackendLike | undefined;
let scratchSlot = -1;

/** Installs the hook on jax-js's Wasm backend (once; later calls return the status). */
export async function installGemm(): Promise<GemmStatus> {
  if (backend || status.reason !== "not installed") return status;
  if (typeof process !== "undefined" && process.env?.DESCENT_GEMM === "0") {
    status.reason = "disabled by DESCENT_GEMM=0";
    return status;
  }
  try {
    const jax = await loadJaxInternals();
    const { wasm, makeExecutable } = jax;
    // Shared when jax-js found a Worker at load (threads/preload.ts, or a cross-origin-isolated page).
    const memory = jaxKernelMemory(wasm, makeExecutable);
    if (!memory) throw new Error("jax-js's Wasm dispatch no longer instantiates modules with env.memory");
    const shared = typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
    // Descent's own pool replaces jax-js's (whose async path would take products away from the GEMM).
    const ownPool = threads.ownsWorkerGlobal(shared);
    const fma = relaxedSimdAvailable();
    scratchSlot = wasm.malloc(GEMM_SCRATCH_BYTES, new Uint8Array(GEMM_SCRATCH_BYTES));
    const scratch = slotAddress(wasm, makeExecutable, shared, scratchSlot);
    // jax-js's own preparation, bound before the hook wraps it (the vectorised divisions start from its program).
    const jaxPrepareSync = wasm.prepareKernelSync.bind(wasm);
    const reciprocalTools = {
      makeAlu: jax.makeAlu,
      makeKernel: jax.makeKernel,
      prepare: (kernel: unknown) => jaxPrepareSync(kernel) as { data: { program: Record<string, unknown> } },
    };
    const program = kernelRouter({ tools: jax.tools, reciprocalTools, scratch, fma, shared });
    routePreparation(wasm, makeExecutable, program, shared && !ownPool);
    await installJitRoutes(wasm, jax, { shared, ownPool });
    if (ownPool) threads.keepDispatchSynchronous(wasm);
    backend = wasm;
    Object.assign(status, { active: true, reason: undefined, fma });
    // The pool starts in the background; if it fails, the GEMM stays on one thread (threadStatus says why).
    if (ownPool)
      threads.installThreads({
        wasm,
        memory,
        scratch,
        fma,
        slotAddress: (slot) => slotAddress(wasm, makeExecutable, shared, slot),
      });
  } catch (error) {
    Object.assign(status, { active: false, reason: `GEMM hook not installed: ${(error as Error).message}` });
  }
  return status;
}

/** How many times jax-js has run a GEMM kernel since start (read from the kernels' own counter). */
export function gemmCalls(): number {
  if (!backend) return 0;
  return new DataView(backend.readSync(scratchSlot, CALLS_OFFSET, 4).buffer).getUint32(0, true);
}

export type { AluNode };
