/**
 * Installs the jit program rewrites (transposeFusion.ts, copyElision.ts, copyFolding.ts, kernelMerge.ts) on
 * jax-js's JitProgram, which jax-js does not export: it is caught from jax-js's compile cache at startEngine.
 */
import { elideIdentityCopies } from "./copyElision.js";
import { foldCopiesIntoProducts } from "./copyFolding.js";
import type { Step } from "./jitSteps.js";
import { type FusionTools, fuseTransposedProducts } from "./transposeFusion.js";
import { type MergeTools, mergeElementwiseKernels } from "./kernelMerge.js";
import { fuseMaxPools } from "./maxPoolRewrite.js";

export interface ProgramLike {
  backend: unknown;
  inputs: number[];
  steps: Step[];
  outputs: number[];
  execute(inputs: number[]): { outputs: number[]; pending: unknown[] };
}

/** Which rewrites run (read at each execution) and what they have skipped so far. */
export interface RewriteSwitches {
  transposeFusion: boolean;
  copyElision: boolean;
  kernelMerge: boolean;
  simdExp: boolean;
  copyFolding: boolean;
  maxPool: boolean;
}
export interface RewriteCounts {
  /** Transposed copies skipped: products written transposed by the GEMM instead. */
  transposeFusions: number;
  /** Identity copies skipped (copyElision.ts). */
  copiesElided: number;
  /** Elementwise kernels run inside a sibling's multi-output kernel instead (kernelMerge.ts). */
  kernelsMerged: number;
  /** float32 exp kernels run on Descent's vectorised code instead of jax-js's scalar loop (kernelMerge.ts). */
  expKernels: number;
  /** Copies read only by products skipped, folded into the products' views (copyFolding.ts). */
  copiesFolded: number;
  /** Max-pooling groups run as a forward and a backward kernel of Descent's (maxPoolRewrite.ts). */
  poolsFused: number;
}

/** Counts before any rewrite. */
export const noRewrites = (): RewriteCounts => ({
  transposeFusions: 0,
  copiesElided: 0,
  copiesFolded: 0,
  kernelsMerged: 0,
  expKernels: 0,
  poolsFused: 0,
});

/**
 * Finds a jax-js (unexported) JitProgram on `backend` by catching the first program that jit puts in
 * its compile cache (a Map) while a tiny jit runs. Throws when none is found.
 */
export async function catchJitProgram(backend: unknown): Promise<ProgramLike> {
  const { jit, numpy: np } = await import("@jax-js/jax");
  const mapSet = Map.prototype.set;
  let caught: ProgramLike | undefined;
  Map.prototype.set = function (this: Map<unknown, unknown>, key: unknown, value: unknown) {
    const v = value as ProgramLike;
    if (!caught && v?.backend === backend && Array.isArray(v.steps) && typeof v.execute === "function") caught = v;
    return mapSet.call(this, key, value);
  };
  try {
    const probe = jit((a: InstanceType<typeof np.Array>) => a.mul(3).add(1));
    (probe(np.array([1, 2], { device: "wasm" })) as InstanceType<typeof np.Array>).dispose();
    probe.dispose();
  } finally {
    Map.prototype.set = mapSet;
  }
  if (!caught) throw new Error("jax-js's JitProgram was not found in its compile cache");
  return caught;
}

/**
 * Wraps JitProgram's execute (`proto`, from catchJitProgram) to run rewritten steps on `backend`'s
 * programs. `switches()` is read at every execution, so A/B runs can switch per call. Returns the
 * live counts.
 */
export function installProgramRewrites(
  proto: ProgramLike,
  backend: unknown,
  tools: FusionTools & Omit<MergeTools, "merge" | "exp">,
  switches: () => RewriteSwitches,
): RewriteCounts {
  const execute = proto.execute;
  type Variant = {
    steps: Step[];
    fusions: number;
    elided: number;
    folded: number;
    merged: number;
    expKernels: number;
    pools: number;
  };
  const variants = new WeakMap<ProgramLike, { original: Step[]; byKey: Map<string, Variant> }>();
  const counts = noRewrites();
  const rewrite = (original: Step[], outputs: number[], on: RewriteSwitches) => {
    const { transposeFusion, copyElision, copyFolding, kernelMerge, simdExp, maxPool } = on;
    let steps = original;
    // First, while the pooling's kernels are still jax-js's own (kernelMerge would merge its maxima).
    const pooled = maxPool ? fuseMaxPools(steps, outputs, tools) : null;
    if (pooled) steps = pooled.steps;
    let fusions = 0;
    let elided = 0;
    let folded = 0;
    let merged = 0;
    let expKernels = 0;
    const fused = transposeFusion ? fuseTransposedProducts(steps, outputs, tools) : null;
    // Each fused pair drops a copy, a malloc and a free.
    if (fused) [steps, fusions] = [fused, (steps.length - fused.length) / 3];
    const elision = copyElision ? elideIdentityCopies(steps, outputs, tools) : null;
    if (elision) [steps, elided] = [elision.steps, elision.removed];
    const folding = copyFolding ? foldCopiesIntoProducts(steps, outputs, tools) : null;
    if (folding) [steps, folded] = [folding.steps, folding.removed];
    const merging =
      kernelMerge || simdExp ? mergeElementwiseKernels(steps, { ...tools, merge: kernelMerge, exp: simdExp }) : null;
    if (merging) [steps, merged, expKernels] = [merging.steps, merging.merged, merging.expKernels];
    return { steps, fusions, elided, folded, merged, expKernels, pools: pooled?.pools ?? 0 };
  };
  proto.execute = function (this: ProgramLike, inputs: number[]) {
    if (this.backend !== backend) return execute.call(this, inputs);
    let entry = variants.get(this);
    if (!entry) {
      entry = { original: this.steps, byKey: new Map() };
      variants.set(this, entry);
    }
    const on = switches();
    const key = [on.transposeFusion, on.copyElision, on.copyFolding, on.kernelMerge, on.simdExp, on.maxPool].join(":");
    let variant = entry.byKey.get(key);
    if (!variant) {
      variant = rewrite(entry.original, this.outputs, on);
      entry.byKey.set(key, variant);
    }
    this.steps = variant.steps;
    counts.transposeFusions += variant.fusions;
    counts.copiesElided += variant.elided;
    counts.copiesFolded += variant.folded;
    counts.kernelsMerged += variant.merged;
    counts.expKernels += variant.expKernels;
    counts.poolsFused += variant.pools;
    return execute.call(this, inputs);
  };
  return counts;
}
