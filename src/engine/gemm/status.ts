/**
 * What the GEMM hook reports through gemmStatus(): whether it is installed (and why not), and the
 * counts of each route it has taken so far. The hook's parts write `status` as they go; the jit
 * program rewrites and the program runner keep counts of their own, which `jitCounts` points at
 * once they are installed, and gemmStatus() returns them all as one snapshot.
 */
import { noRewrites, type RewriteCounts } from "./programRewrites.js";
import { noRuns, type RunnerCounts } from "./programRunner.js";

/** The jit rewrites' counts (RewriteCounts) and the program runner's (RunnerCounts), beside the hook's own. */
export interface GemmStatus extends RewriteCounts, RunnerCounts {
  /** True when matmul-shaped kernels go to the GEMM. */
  active: boolean;
  /** Why not, when inactive. */
  reason?: string;
  /** relaxed_madd (true) or mul+add. */
  fma: boolean;
  /** Kernels recognised so far (distinct shapes). */
  kernels: number;
  /** float32 elementwise kernels whose divisions were vectorised (simdReciprocal.ts). */
  divisionKernels: number;
  /** Distinct data-movement kernels (concatenations, pads, slice copies, their sums) compiled by viewSum.ts. */
  viewSumKernels: number;
  /** The last data-movement module that failed to compile (it stays with jax-js): a bug to report. */
  viewSumError?: string;
  /** Why the jit program rewrites (transposeFusion.ts, copyElision.ts) are off, when they are. */
  rewriteError?: string;
  /** Preparations of jax-js's own kernels answered from the per-Kernel cache (no FpHash of the tree). */
  programsReused: number;
  /** Why the program runner is off, when it is. */
  runnerError?: string;
}

/** The hook's own fields and counts (the jit counts come from `jitCounts`). */
export const status: GemmStatus = {
  active: false,
  reason: "not installed",
  fma: false,
  kernels: 0,
  divisionKernels: 0,
  viewSumKernels: 0,
  ...noRewrites(),
  programsReused: 0,
  ...noRuns(),
};

/** The live counts of the jit program rewrites and of the program runner (zeros until installed). */
export const jitCounts: { rewrites: RewriteCounts; runner: RunnerCounts } = {
  rewrites: noRewrites(),
  runner: noRuns(),
};

export const gemmStatus = (): GemmStatus => ({ ...status, ...jitCounts.rewrites, ...jitCounts.runner });
