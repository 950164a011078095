/**
 * The hook's replacements of jax-js's Wasm kernel preparation (prepareKernelSync, prepareKernel):
 * a merged multi-output kernel (kernelMerge.ts) gets its own program, a kernel the router matches
 * gets Descent's program, and any other keeps jax-js's, remembered per Kernel object so that jit's
 * replays skip jax-js's hash of the whole kernel tree. Every answer is an Executable that jax-js's
 * own dispatch runs, handed to the thread pool, which may run it on a threaded twin.
 */
import type { MakeExecutable, WasmBackendLike } from "./jaxInternals.js";
import { splittable } from "./kernelRouting.js";
import { type MergedProgram, mergedProgramOf } from "./kernelMerge.js";
import { status } from "./status.js";
import { switches } from "./switches.js";
import * as threads from "../threads/install.js";
import type { Program } from "../threads/jobs.js";

/**
 * Wraps the backend's two preparations. `program` is the router (kernelRouting.ts); with
 * `jaxJsPool`, jax-js runs its own worker pool, so its async path keeps jax-js's kernels.
 */
export function routePreparation(
  wasm: WasmBackendLike,
  makeExecutable: MakeExecutable,
  program: (kernel: unknown) => Program | undefined,
  jaxJsPool: boolean,
): void {
  const prepareSync = wasm.prepareKernelSync.bind(wasm);
  const prepareAsync = wasm.prepareKernel.bind(wasm);
  // jax-js hashes the whole kernel tree (FpHash) at every preparation to find its compiled program;
  // jit replays the same Kernel objects, so each one's program is remembered here instead.
  const ownPrograms = new WeakMap<object, unknown>();
  const remembered = (kernel: unknown, sync: boolean) => {
    const known = switches.programCache ? ownPrograms.get(kernel as object) : undefined;
    if (!known) return undefined;
    status.programsReused++;
    return makeExecutable(kernel, { program: known, sync });
  };
  const remember = <T>(kernel: unknown, exe: T) => {
    ownPrograms.set(kernel as object, (exe as { data: { program: unknown } }).data.program);
    return exe;
  };
  // A merged kernel computes each item alone, like jax-js's elementwise kernels: ranges of items split it.
  const threadedMerge = (merged: MergedProgram) =>
    threads.threadedProgram(merged, { nargs: 0, size: merged.workSize, pointers: merged.pointers }, true);
  wasm.prepareKernelSync = (kernel) => {
    const merged = mergedProgramOf(kernel);
    if (merged) return makeExecutable(kernel, { program: threadedMerge(merged), sync: true });
    const found = program(kernel);
    if (found)
      return makeExecutable(kernel, {
        program: threads.threadedProgram(found, kernel, splittable(found)),
        sync: true,
      });
    return threads.threadedExecutable(kernel, remembered(kernel, true) ?? remember(kernel, prepareSync(kernel)));
  };
  // The async path hands modules to jax-js's worker pool when one exists; the GEMM's single
  // scratch block is not safe across concurrent workers, so with a pool it stays with jax-js.
  wasm.prepareKernel = async (kernel) => {
    const merged = mergedProgramOf(kernel);
    if (merged) return makeExecutable(kernel, { program: threadedMerge(merged), sync: false });
    const found = jaxJsPool ? undefined : program(kernel);
    if (found)
      return makeExecutable(kernel, {
        program: threads.threadedProgram(found, kernel, splittable(found)),
        sync: false,
      });
    return threads.threadedExecutable(
      kernel,
      remembered(kernel, false) ?? remember(kernel, await prepareAsync(kernel)),
    );
  };
}
