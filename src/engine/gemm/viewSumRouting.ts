/**
 * The data-movement kernels (viewSum.ts) at kernel preparation, for the hook (hook.ts): one compiled module
 * per description (every jit function and retrace has its own Kernel objects), and whether the thread pool
 * may split them by rows (they take jax-js's calling convention, items [start, end)).
 */
import type { Program } from "../threads/jobs.js";
import type { MatchTools } from "./match.js";
import { matchViewSum, viewSumModuleBytes, viewSumRowWork, viewSumRows } from "./viewSum.js";

/** kernelHash prefix of the data-movement kernels viewSum.ts generates. */
export const VIEW_SUM_HASH = "descent-viewsum:";
/** kernelHash prefix of those under a ReLU mask (viewSum.ts reluMask), switched on their own for A/B. */
export const VIEW_SUM_RELU_HASH = `${VIEW_SUM_HASH}relu-`;

let threadsEnabled = true;
let version = 0;
/** Bumped by the switch below: jit plans (programRunner.ts) are rebuilt when it changes. */
export const viewSumSwitchVersion = (): number => version;

/** Turns the splitting of data-movement kernels over the thread pool on or off, for kernels prepared from now on: A/B. */
export function setViewSumThreadsEnabled(on: boolean): void {
  threadsEnabled = on;
  version++;
}

/** Whether the pool may split this program (a data-movement kernel, with the switch on). */
export const splitsByRows = (program: Program): boolean =>
  threadsEnabled && program.kernelHash.startsWith(VIEW_SUM_HASH);

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
      counts.viewSumKernels = programs.size;
      return found;
    } catch (error) {
      counts.viewSumError = (error as Error).message;
      return undefined;
    }
  };
}
