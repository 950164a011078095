/**
 * The jobs the pool runs, and the twin programs jax-js dispatches for them. A twin's module only saves
 * the kernel's arguments (jax-js's buffer table is private, so the operand addresses exist only as those
 * arguments); the dispatch wrapper in install.ts then hands the job to the pool.
 */
import { GEMM_PARAMS, gemmModuleBytes, withGlobals, type GemmDtype, type GemmParams } from "../gemm/module.js";
import { GEMM_MODULES } from "../gemm/modules.generated.js";
import type { PoolJob, RangeFn, ThreadPool } from "./pool.js";
import { itemPlan, tilePlan } from "./tiles.js";

/**
 * Products below this many multiply-adds stay on one thread: waking a worker and splitting cost about
 * what they save at 2.1 M (128×128×128), while 4.2 M (128×256×128) gained 10–20 % of main-thread time.
 */
export const MIN_PARALLEL_WORK = 1 << 22;

/**
 * jax-js's own kernels (elementwise, reductions, convolutions) are split from this many work items ×
 * reduction steps. On the CNN step (measured, main-thread CPU): 2¹⁶ and 2¹⁸ gained alike (−31 %),
 * 2²⁰ kept only the products' gain (−13 %).
 */
export const MIN_KERNEL_WORK = 1 << 18;
let minKernelWork = MIN_KERNEL_WORK;
/** Sets that threshold for twins made from now on (install.ts setMinKernelWork: A/B benches); true if it changed. */
export const setKernelWorkThreshold = (work: number): boolean => {
  const changed = work !== minKernelWork;
  minKernelWork = work;
  return changed;
};

/** Pointer arguments a jax-js kernel may have to be split (the argument-saving module keeps 16 words). */
const MAX_KERNEL_POINTERS = 14;

/** `itemWork`: the work of one item, when not the kernel's reduction length (a data-movement kernel's row). */
export type Program = {
  kernelHash: string;
  module: WebAssembly.Module;
  workSize: number;
  chunkAlignment: number;
  itemWork?: number;
};
/** `pointers`: the buffers a kernel is called with, when not its `nargs` inputs and one output (merged kernels). */
export type KernelLike = { nargs: number; size: number; reduction?: { size: number }; pointers?: number };
export type GemmInfo = { dtype: GemmDtype; params: GemmParams };

interface JobHost {
  memory: WebAssembly.Memory;
  /** The main thread's GEMM scratch block. */
  scratch: number;
  fma: boolean;
}

/** The module that only saves its arguments (and counts the call) at `at` (scripts/gemm/kernels.ts argsSaverWat). */
const saverModule = (at: number) =>
  new WebAssembly.Module(
    withGlobals(
      Uint8Array.from(atob(GEMM_MODULES["args-shared"]), (c) => c.charCodeAt(0)),
      GEMM_PARAMS.map((name) => (name === "scratch" ? at : 0)),
    ),
  );

let nextId = 0;

/** A product's job: each worker gets the product's module compiled with its own scratch address. */
export function gemmJob(
  host: JobHost,
  pool: ThreadPool,
  scratches: number[],
  threads: number,
  { dtype, params }: GemmInfo,
): PoolJob {
  const id = nextId++;
  const options = { fma: host.fma, shared: true };
  scratches.forEach((scratch, w) =>
    pool.postModule(w, id, new WebAssembly.Module(gemmModuleBytes(dtype, { ...params, scratch }, options))),
  );
  const main = new WebAssembly.Module(gemmModuleBytes(dtype, { ...params, scratch: host.scratch }, options));
  const range = new WebAssembly.Instance(main, { env: { memory: host.memory } }).exports.range as RangeFn;
  const { M, N } = params;
  return { id, M, N, plan: tilePlan(M, N, dtype, threads), range, args: new Int32Array(16), argsAt: host.scratch };
}

/** Makes the twin of a large product or of a large jax-js kernel, with its job; undefined for the rest. */
export function twinFactory(
  host: JobHost & { kernelArgs: number },
  pool: ThreadPool,
  scratches: number[],
  threads: number,
) {
  const saver = saverModule(host.scratch);
  // jax-js's own kernels save their pointers in a block of their own (kernelArgs, 512 bytes): the GEMM's
  // call counter stays exact.
  const { kernelArgs } = host;
  const kernelSaver = saverModule(kernelArgs);
  const kernelJob = (program: Program, pointers: number): PoolJob => {
    const id = nextId++;
    scratches.forEach((_, w) => pool.postModule(w, id, program.module));
    const instance = new WebAssembly.Instance(program.module, { env: { memory: host.memory } });
    const kernel = instance.exports.kernel as (...args: number[]) => void;
    const args = new Int32Array(16);
    const plan = itemPlan(program.workSize, program.chunkAlignment, threads);
    const range = (begin: number, end: number) => kernel(...args.subarray(0, pointers), begin, end);
    return { id, M: program.workSize, N: pointers, plan, range, args, argsAt: kernelArgs };
  };
  return (program: Program, kernel?: KernelLike, gemm?: GemmInfo): { twin: Program; job: PoolJob } | undefined => {
    const kernelHash = `${program.kernelHash}:threads`;
    if (gemm) {
      if (gemm.params.M * gemm.params.N * gemm.params.K < MIN_PARALLEL_WORK) return undefined;
      const twin = { kernelHash, module: saver, workSize: 1, chunkAlignment: 1 };
      return { twin, job: gemmJob(host, pool, scratches, threads, gemm) };
    }
    // One of jax-js's kernels: each work item computes its outputs alone, so ranges of items split it.
    const pointers = kernel && (kernel.pointers ?? kernel.nargs + 1);
    if (!kernel || !pointers || pointers > MAX_KERNEL_POINTERS || !(program.workSize >= 2 * program.chunkAlignment))
      return undefined;
    if (program.workSize * (program.itemWork ?? kernel.reduction?.size ?? 1) < minKernelWork) return undefined;
    return { twin: { ...program, kernelHash, module: kernelSaver }, job: kernelJob(program, pointers) };
  };
}
