/**
 * The data-movement kernels (viewSum.ts) at kernel preparation, for the hook (kernelRouting.ts): one compiled module
 * per description (every jit function and retrace has its own Kernel objects), and whether the thread pool
 * may split them by rows (they take jax-js's calling convention, items [start, end)).
 */
import { switches } from "./switches.js";
import type { Program } from "../threads/jobs.js";
import type { MatchTools } from "./match.js";
import { matchViewSum, type ViewSum } from "./viewSum.js";
import { viewSumRowWork, viewSumRows } from "./viewSumLoops.js";
import { viewSumModuleBytes } from "./viewSumWasm.js";

/** kernelHash prefix of the data-movement kernels (viewSum.ts, viewSumWasm.ts). */
export const VIEW_SUM_HASH = "descent-viewsum:";
/** kernelHash prefix of those under a ReLU mask (viewSum.ts reluMask), switched on their own for A/B. */
export const VIEW_SUM_RELU_HASH = `${VIEW_SUM_HASH}relu-`;

/** Whether the pool may split this program (a data-movement kernel, with the switch on). */
export const splitsByRows = (program: Program): boolean =>
  switches.viewSumThreads && program.kernelHash.startsWith(VIEW_SUM_HASH);

/** Each program's sum, to compile its A/B variant from. */
const sums = new WeakMap<Program, { sum: ViewSum; shared: boolean }>();
const formerOrder = new WeakMap<Program, Program>();

/**
 * The program to run for a view-sum program the hook found (its verdicts are cached per kernel): with the
 * row-by-row order switched off, the same sum compiled in the former order (each pass over all rows).
 */
export function viewSumVariant(program: Program): Program {
  const source = switches.viewSumRowOrder ? undefined : sums.get(program);
  if (!source) return program;
  let variant = formerOrder.get(program);
  if (!variant) {
    const module = new WebAssembly.Module(viewSumModuleBytes(source.sum, source.shared, false));
    variant = { ...program, kernelHash: `${program.kernelHash}-passes`, module };
    formerOrder.set(program, variant);
  }
  return variant;
}

/** Counts for gemmStatus(): distinct modules compiled, and the last module that failed to (a bug to report). */
export interface ViewSumCounts {
  viewSumKernels: number;
  viewSumError?: string;
}

/** The program of a kernel that is a sum of (masked) strided views, else undefined (it stays with jax-js). */
export function viewSumCompiler(tools: MatchTools, shared: boolean, counts: ViewSumCounts) {
  const programs = new Map<string, Program>();
  return (kernel: unknown): Program | undefined => {
    const sum = matchViewSum(kernel as Parameters<typeof matchViewSum>[0], tools);
    if (!sum) return undefined;
    const key = JSON.stringify(sum);
    const known = programs.get(key);
    if (known) return known;
    try {
      const module = new WebAssembly.Module(viewSumModuleBytes(sum, shared));
      const kernelHash = `${sum.reluMask ? VIEW_SUM_RELU_HASH : VIEW_SUM_HASH}${programs.size}`;
      // Work items are the rows a call computes (jax-js calls 0..rows): the pool splits them.
      const found = {
        kernelHash,
        module,
        workSize: viewSumRows(sum),
        chunkAlignment: 1,
        itemWork: viewSumRowWork(sum),
      };
      programs.set(key, found);
      sums.set(found, { sum, shared });
      counts.viewSumKernels = programs.size;
      return found;
    } catch (error) {
      counts.viewSumError = (error as Error).message;
      return undefined;
    }
  };
}
