/**
 * Folds a rearranging copy into the products that read it: in a jit program, a kernel whose output is
 * its one input seen through a single strided view (jax-js materialises Wᵀ this way before the
 * forward product x·Wᵀ and the backward dY·W of a dense layer) and which is read only by GEMM kernels,
 * as their A or B operand, is dropped; each product reads the input through the composed view
 * instead (jax-js's own ShapeTracker.compose). The products read the same elements and sum them in
 * the same order, so results are bit-identical. `setCopyFoldingEnabled` (gemm/hook.ts) switches it for A/B.
 */
import { dropCopies, readsBuffer as reads, type Step, withoutCopy, writesBuffer as writes } from "./jitSteps.js";
import { type AluNode, type KernelLike, matchGemm, type ViewLike } from "./match.js";
import type { FusionTools } from "./transposeFusion.js";

interface TrackerLike {
  views: ViewLike[];
  compose(other: TrackerLike): TrackerLike;
}

const isKernel = (source: unknown): source is KernelLike =>
  typeof source === "object" && source !== null && "exp" in source && "nargs" in source;

/** The view of its input that `kernel` copies out (out[i] = in[view(unravel(i))]), or null if it computes. */
function copiedView(kernel: KernelLike, tools: FusionTools): TrackerLike | null {
  const exp = kernel.exp;
  if (kernel.reduction || kernel.nargs !== 1 || exp.op !== "GlobalView") return null;
  const [gid, tracker] = exp.arg as [number, TrackerLike];
  if (gid !== 0 || tracker.views.length !== 1) return null;
  const { shape, mask } = tracker.views[0];
  if (mask !== null || shape.reduce((a, b) => a * b, 1) !== kernel.size) return null;
  return tools.deepEqual(exp.src, tools.unravel(shape, tools.gidx)) ? tracker : null;
}

/** Whether any GlobalView under `node` reads argument `gid`. */
const readsArg = (node: AluNode, gid: number): boolean =>
  (node.op === "GlobalView" && (node.arg as [number])[0] === gid) || node.src.some((s) => readsArg(s, gid));

/** The product `kernel` reading its argument `gid` through `copy` composed with its own view; null if unsure. */
function foldedProduct(kernel: KernelLike, gid: number, copy: TrackerLike, tools: FusionTools): KernelLike | null {
  const match = matchGemm(kernel, tools);
  if (match?.kind !== "gemm" || match.params.argE === gid || kernel.exp.op !== "Mul") return null;
  if (kernel.reduction && readsArg(kernel.reduction.epilogue, gid)) return null;
  const reading = kernel.exp.src.filter((view) => readsArg(view, gid)).length;
  let folded = 0;
  const operands = kernel.exp.src.map((view) => {
    const [argGid, tracker] = view.arg as [number, TrackerLike];
    if (argGid !== gid) return view;
    const composed = copy.compose(tracker);
    if (composed.views.length !== 1) return view;
    folded++;
    return tools.makeAlu("GlobalView", view.dtype, view.src, [gid, composed]);
  });
  if (folded === 0 || folded !== reading) return null;
  const product = tools.makeKernel(
    kernel.nargs,
    kernel.size,
    tools.makeAlu("Mul", kernel.exp.dtype, operands, undefined),
    kernel.reduction,
  );
  const check = matchGemm(product, tools);
  const { M, N, K } = match.params;
  return check?.kind === "gemm" && check.params.M === M && check.params.N === N && check.params.K === K
    ? product
    : null;
}

/** `steps` with every copy that only products read folded into them, and how many; null when there is none. */
export function foldCopiesIntoProducts(
  steps: Step[],
  programOutputs: number[],
  tools: FusionTools,
): { steps: Step[]; removed: number } | null {
  return dropCopies(steps, (out, i, copy, a, o) => {
    const view = isKernel(copy.source) ? copiedView(copy.source, tools) : null;
    if (!view || programOutputs.includes(o)) return null;
    if (out.some((s) => (s.type === "incref" && (s.input === o || s.input === a)) || (s !== copy && writes(s, o))))
      return null;
    if (out.some((s, j) => j > i && writes(s, a))) return null;
    const readers = out.filter((s) => s !== copy && reads(s, o));
    const replaced = new Map<Step, Step>();
    for (const reader of readers) {
      if (reader.type !== "execute" || !isKernel(reader.source)) break;
      const gid = reader.inputs.indexOf(o);
      if (reader.inputs.lastIndexOf(o) !== gid || reader.inputs.includes(a)) break;
      const product = foldedProduct(reader.source, gid, view, tools);
      if (!product) break;
      replaced.set(reader, { ...reader, source: product, inputs: reader.inputs.map((id) => (id === o ? a : id)) });
    }
    if (readers.length === 0 || replaced.size !== readers.length) return null;
    return withoutCopy(out, copy, a, o, (s) => replaced.get(s) ?? s);
  });
}
