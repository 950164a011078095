/**
 * The on/off switches of the GEMM hook's routes (the GEMM itself, vectorised divisions, data-movement
 * kernels, the jit program rewrites, the per-Kernel program cache, the program runner), for A/B benches
 * and for tests that compare a route with jax-js's own code. Each applies to kernels prepared (or jit
 * calls made) from the next step on; every switch but the runner's two bumps a version, so that the
 * program runner rebuilds the plans that hold programs prepared under the former setting.
 */

/** Every route is on unless a bench or test turns it off. */
const state = {
  gemm: true,
  reciprocal: true,
  viewSum: true,
  reluMask: true,
  transposeFusion: true,
  copyElision: true,
  copyFolding: true,
  programCache: true,
  kernelMerge: true,
  simdExp: true,
  programRunner: true,
  maxPool: true,
  viewSumThreads: true,
  viewSumRowOrder: true,
  smallProbes: true,
};
/** Bumped by every switch (but the runner's): the program runner re-prepares its plans when it changes. */
let version = 0;

/** The current settings, read by the hook at each preparation (written only by the functions below). */
export const switches: Readonly<typeof state> = state;
export const switchVersion = (): number => version;

/**
 * Turns routing on or off for kernels prepared from now on (jax-js prepares a kernel at each
 * execution, so this applies to the next step): for A/B benches and GEMM-vs-jax-js tests.
 */
export function setGemmEnabled(on: boolean): void {
  state.gemm = on;
  version++;
}

/** Turns the vectorised division (simdReciprocal.ts) on or off for kernels prepared from now on: for A/B. */
export function setReciprocalEnabled(on: boolean): void {
  state.reciprocal = on;
  version++;
}

/** Turns the data-movement kernels (viewSum.ts) on or off for kernels prepared from now on: for A/B. */
export function setViewSumEnabled(on: boolean): void {
  state.viewSum = on;
  version++;
}

/** Turns the view sums under a ReLU mask (viewSum.ts reluMask) on or off for kernels prepared from now on: for A/B. */
export function setReluMaskEnabled(on: boolean): void {
  state.reluMask = on;
  version++;
}

/** Turns the fusion of transposed copies into products (transposeFusion.ts) on or off, from the next call: for A/B. */
export function setTransposeFusionEnabled(on: boolean): void {
  state.transposeFusion = on;
  version++;
}

/** Turns the per-Kernel cache of jax-js's own compiled programs on or off (for A/B). */
export function setProgramCacheEnabled(on: boolean): void {
  state.programCache = on;
  version++;
}

/** Turns the removal of identity copies from jit programs (copyElision.ts) on or off, from the next call: for A/B. */
export function setCopyElisionEnabled(on: boolean): void {
  state.copyElision = on;
  version++;
}

/** Turns the merging of sibling elementwise kernels (kernelMerge.ts) on or off, from the next call: for A/B. */
export function setKernelMergeEnabled(on: boolean): void {
  state.kernelMerge = on;
  version++;
}

/** Turns Descent's vectorised float32 exp kernels (kernelMerge.ts) on or off, from the next call: for A/B. */
export function setSimdExpEnabled(on: boolean): void {
  state.simdExp = on;
  version++;
}

/** Turns the program runner (programRunner.ts) on or off, from the next jit call: for A/B. */
export function setProgramRunnerEnabled(on: boolean): void {
  state.programRunner = on;
}

/** Turns the folding of copies read only by products into their views (copyFolding.ts) on or off: for A/B. */
export function setCopyFoldingEnabled(on: boolean): void {
  state.copyFolding = on;
  version++;
}

/** Turns the max-pooling rewrite (maxPoolRewrite.ts) on or off, from the next jit call: for A/B. */
export function setMaxPoolEnabled(on: boolean): void {
  state.maxPool = on;
  version++;
}

/** Turns the split of data-movement kernels over the thread pool (viewSumRouting.ts) on or off: for A/B. */
export function setViewSumThreadsEnabled(on: boolean): void {
  state.viewSumThreads = on;
  version++;
}

/** Turns the row-by-row order of split sums (viewSumWasm.ts) on or off, for kernels prepared from now on: A/B. */
export function setViewSumRowOrderEnabled(on: boolean): void {
  state.viewSumRowOrder = on;
  version++;
}

/** Off, every pointer probe (programRunner.ts) is the largest one (as before 30 Nov 2026); read at each jit call. */
export function setSmallProbesEnabled(on: boolean): void {
  state.smallProbes = on;
}
