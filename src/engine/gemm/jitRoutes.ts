/**
 * The GEMM hook's parts that work on whole jit programs rather than single kernels: the program
 * runner (programRunner.ts), which runs a jit call's kernels as one unit on reused instances, and
 * the program rewrites (programRewrites.ts: transposed products, copy elision and folding, merged
 * kernels, vectorised exp, max pooling). Both wrap jax-js's JitProgram, caught by running a probe jit;
 * both are optional: without it, or when one fails, the kernel routes stay on and gemmStatus() says why.
 */
import { INTERNALS_CHANGED, type JaxInternals, type WasmBackendLike } from "./jaxInternals.js";
import { catchJitProgram, installProgramRewrites } from "./programRewrites.js";
import { installProgramRunner } from "./programRunner.js";
import { jitCounts, status } from "./status.js";
import { switches, switchVersion } from "./switches.js";
import * as threads from "../threads/install.js";
import { withSharedMemory } from "../threads/sharedImport.js";

/**
 * Installs the runner and the rewrites on jax-js's JitProgram. `shared`: jax-js's memory is shared;
 * `ownPool`: Descent's thread pool replaces jax-js's (else a shared memory means jax-js runs workers).
 */
export async function installJitRoutes(
  wasm: WasmBackendLike,
  jax: JaxInternals,
  { shared, ownPool }: { shared: boolean; ownPool: boolean },
): Promise<void> {
  let jitProgram: Awaited<ReturnType<typeof catchJitProgram>> | undefined;
  try {
    jitProgram = await catchJitProgram(wasm);
  } catch (error) {
    status.rewriteError = `jit program rewrites not installed: ${(error as Error).message}`;
    status.runnerError = `program runner not installed: ${(error as Error).message}`;
  }
  if (!jitProgram) return;
  const proto = Object.getPrototypeOf(jitProgram);
  // Written for a plain memory: with Descent's pool, jax-js's memory is shared (threads/sharedImport.ts).
  const compile = (bytes: Uint8Array<ArrayBuffer>) => new WebAssembly.Module(ownPool ? withSharedMemory(bytes) : bytes);
  // Installed first, so that it runs the steps the rewrites choose.
  try {
    if (shared && !ownPool) throw new Error("jax-js runs a worker pool (shared memory)");
    const { isTracing } = jax;
    if (typeof wasm.prepareRoutineSync !== "function" || !isTracing) throw new Error(INTERNALS_CHANGED);
    jitCounts.runner = installProgramRunner(
      proto,
      wasm,
      { isKernel: jax.isKernel, makeExecutable: jax.makeExecutable, isTracing, compile },
      () => switches.gemm && switches.programRunner,
      // Plans hold prepared programs: rebuilt when a switch or the thread pool changes.
      () => switchVersion() + threads.threadVersion(),
    );
  } catch (error) {
    status.runnerError = `program runner not installed: ${(error as Error).message}`;
  }
  // Merged kernels import a plain memory: not with jax-js's own worker pool (ours: see compile above).
  const plainOrOwn = !shared || ownPool;
  jitCounts.rewrites = installProgramRewrites(
    proto,
    wasm,
    { ...jax.tools, makeAlu: jax.makeAlu, makeKernel: jax.makeKernel as never, compile },
    () => ({
      transposeFusion: switches.gemm && switches.transposeFusion,
      copyElision: switches.gemm && switches.copyElision,
      copyFolding: switches.gemm && switches.copyFolding,
      kernelMerge: switches.gemm && switches.kernelMerge && plainOrOwn,
      simdExp: switches.gemm && switches.simdExp && plainOrOwn,
      maxPool: switches.gemm && switches.maxPool && plainOrOwn,
    }),
  );
}
