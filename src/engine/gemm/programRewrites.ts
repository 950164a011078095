/**
 * Installs the jit program rewrites (transposeFusion.ts, copyElision.ts, copyFolding.ts) on jax-js's JitProgram,
 * which jax-js does not export: it is caught from jax-js's compile cache at startEngine.
 */
import { elideIdentityCopies } from "./copyElision.js";
import { foldCopiesIntoProducts } from "./copyFolding.js";
import type { Step } from "./jitSteps.js";
import { type FusionTools, fuseTransposedProducts } from "./transposeFusion.js";

interface ProgramLike {
  backend: unknown;
  steps: Step[];
  outputs: number[];
  execute(inputs: number[]): unknown;
}

/** Which rewrites run (read at each execution) and what they have skipped so far. */
export interface RewriteSwitches {
  transposeFusion: boolean;
  copyElision: boolean;
  copyFolding: boolean;
}
export interface RewriteCounts {
  /** Transposed copies skipped: products written transposed by the GEMM instead. */
  transposeFusions: number;
  /** Identity copies skipped (copyElision.ts). */
  copiesElided: number;
  /** Copies read only by products skipped, folded into the products' views (copyFolding.ts). */
  copiesFolded: number;
}

/**
 * Finds jax-js's (unexported) JitProgram class by catching the first program that jit puts in its
 * compile cache (a Map), and wraps its execute to run rewritten steps on `backend`'s programs.
 * `switches()` is read at every execution, so A/B runs can switch per call. Returns the live
 * counts, or throws when the class cannot be found.
 */
export async function installProgramRewrites(
  backend: unknown,
  tools: FusionTools,
  switches: () => RewriteSwitches,
): Promise<RewriteCounts> {
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
  const proto = Object.getPrototypeOf(caught) as ProgramLike;
  const execute = proto.execute;
  type Variant = { steps: Step[]; fusions: number; elided: number; folded: number };
  const variants = new WeakMap<ProgramLike, { original: Step[]; byKey: Map<string, Variant> }>();
  const counts: RewriteCounts = { transposeFusions: 0, copiesElided: 0, copiesFolded: 0 };
  const rewrite = (
    original: Step[],
    outputs: number[],
    { transposeFusion, copyElision, copyFolding }: RewriteSwitches,
  ) => {
    let steps = original;
    let fusions = 0;
    let elided = 0;
    let folded = 0;
    const fused = transposeFusion ? fuseTransposedProducts(steps, outputs, tools) : null;
    // Each fused pair drops a copy, a malloc and a free.
    if (fused) [steps, fusions] = [fused, (steps.length - fused.length) / 3];
    const elision = copyElision ? elideIdentityCopies(steps, outputs, tools) : null;
    if (elision) [steps, elided] = [elision.steps, elision.removed];
    const folding = copyFolding ? foldCopiesIntoProducts(steps, outputs, tools) : null;
    if (folding) [steps, folded] = [folding.steps, folding.removed];
    return { steps, fusions, elided, folded };
  };
  proto.execute = function (this: ProgramLike, inputs: number[]) {
    if (this.backend !== backend) return execute.call(this, inputs);
    let entry = variants.get(this);
    if (!entry) {
      entry = { original: this.steps, byKey: new Map() };
      variants.set(this, entry);
    }
    const on = switches();
    const key = `${on.transposeFusion}:${on.copyElision}:${on.copyFolding}`;
    let variant = entry.byKey.get(key);
    if (!variant) {
      variant = rewrite(entry.original, this.outputs, on);
      entry.byKey.set(key, variant);
    }
    this.steps = variant.steps;
    counts.transposeFusions += variant.fusions;
    counts.copiesElided += variant.elided;
    counts.copiesFolded += variant.folded;
    return execute.call(this, inputs);
  };
  return counts;
}
