/**
 * Removes the transposed copy that jax-js writes after a matrix product: in a jit program, a GEMM
 * kernel C = A·B ([M, N]) whose output is read by one kernel only, a plain copy of Cᵀ ([N, M]), is
 * replaced by the product Bᵀ·Aᵀ written straight into the copy's output (the weight gradients dW of
 * every dense layer: jax-js computes dWᵀ, then transposes it). Each output element is the same sum
 * over k in the same order (multiplication commutes), so the results are bit-identical. The rewrite
 * is made once per program, on its list of steps, before the program first runs (programRewrites.ts).
 */
import type { AluNode, KernelLike, MatchTools } from "./match.js";
import { matchGemm } from "./match.js";
import type { Step } from "./jitSteps.js";

interface TrackerLike {
  views: { shape: number[]; strides: number[]; offset: number; mask: unknown }[];
  permute(axes: number[]): TrackerLike;
}

export interface FusionTools extends MatchTools {
  makeAlu(op: string, dtype: string, src: AluNode[], arg: unknown): AluNode;
  makeKernel(nargs: number, size: number, exp: AluNode, reduction: unknown): KernelLike;
}

const isKernel = (source: unknown): source is KernelLike =>
  typeof source === "object" && source !== null && "exp" in source && "nargs" in source;

/**
 * The view's dimensions with extent-1 ones dropped and row-major-adjacent ones merged: a conv weight
 * gradient's copy [kh, kw, cin, cout] with strides [kw·cin, cin, 1, K] collapses to [K, cout], [1, K].
 */
function collapsed(shape: number[], strides: number[]): { shape: number[]; strides: number[] } {
  const out = { shape: [] as number[], strides: [] as number[] };
  shape.forEach((n, d) => {
    if (n === 1) return;
    const last = out.shape.length - 1;
    if (last >= 0 && out.strides[last] === strides[d] * n) {
      out.shape[last] *= n;
      out.strides[last] = strides[d];
    } else {
      out.shape.push(n);
      out.strides.push(strides[d]);
    }
  });
  return out;
}

/**
 * Whether `kernel` is out[n, m] = arg0[m, n] for a contiguous [M, N] arg0, its output possibly seen
 * through a reshape of [N, M] (a conv weight's [kh, kw, cin, cout]).
 */
function isTransposedCopy(kernel: KernelLike, dtype: string, M: number, N: number, tools: MatchTools): boolean {
  const exp = kernel.exp;
  if (kernel.reduction || kernel.nargs !== 1 || kernel.size !== M * N) return false;
  if (exp.op !== "GlobalView" || exp.dtype !== dtype) return false;
  const [gid, tracker] = exp.arg as [number, TrackerLike];
  if (gid !== 0 || tracker.views.length !== 1) return false;
  const view = tracker.views[0];
  const dims = collapsed(view.shape, view.strides);
  const transposed = (d: { shape: number[]; strides: number[] }) =>
    tools.deepEqual(d.shape, [N, M]) && tools.deepEqual(d.strides, [1, N]);
  return (
    view.mask === null &&
    view.offset === 0 &&
    (transposed(view) || transposed(dims)) &&
    tools.deepEqual(exp.src, tools.unravel(view.shape, tools.gidx))
  );
}

/** The product kernel with its two operands' [M, N, K] views permuted to [N, M, K]: it computes (A·B)ᵀ. */
function transposedProduct(kernel: KernelLike, tools: FusionTools): KernelLike {
  const [M, N] = (kernel.exp.src[0].arg as [number, TrackerLike])[1].views[0].shape;
  const indices = [...tools.unravel([N, M], tools.gidx), tools.ridx];
  const operands = kernel.exp.src.map((view) => {
    const [gid, tracker] = view.arg as [number, TrackerLike];
    return tools.makeAlu("GlobalView", view.dtype, indices, [gid, tracker.permute([1, 0, 2])]);
  });
  const exp = tools.makeAlu("Mul", kernel.exp.dtype, operands, undefined);
  return tools.makeKernel(kernel.nargs, kernel.size, exp, kernel.reduction);
}

/** Whether a step other than t's malloc and free reads or writes slot t. */
const usesSlot = (s: Step, t: number) =>
  s.type === "execute" ? s.inputs.includes(t) || s.outputs.includes(t) : s.type === "incref" && s.input === t;

/** `steps` with every GEMM-then-transposed-copy pair fused; null when there is none. */
export function fuseTransposedProducts(steps: Step[], programOutputs: number[], tools: FusionTools): Step[] | null {
  let out = steps;
  let fused = false;
  for (let i = 0; i < out.length; i++) {
    const step = out[i];
    if (step.type !== "execute" || step.outputs.length !== 1 || !isKernel(step.source)) continue;
    const match = matchGemm(step.source, tools);
    if (match?.kind !== "gemm" || match.params.argE !== -1 || match.params.relu !== 0) continue;
    const { M, N } = match.params;
    const t = step.outputs[0];
    if (programOutputs.includes(t)) continue;
    // t must be written by this step, read by exactly one other step, and otherwise only malloc'd and freed.
    const users = out.filter((s) => s !== step && usesSlot(s, t));
    const copy = users[0];
    if (users.length !== 1 || copy.type !== "execute" || copy.inputs.length !== 1 || copy.outputs.length !== 1)
      continue;
    if (!isKernel(copy.source) || !isTransposedCopy(copy.source, match.dtype, M, N, tools)) continue;
    const product = transposedProduct(step.source, tools);
    const swapped = matchGemm(product, tools);
    if (swapped?.kind !== "gemm" || swapped.params.M !== N || swapped.params.N !== M) continue;
    const target = copy.outputs[0];
    const tMalloc = out.findIndex((s) => s.type === "malloc" && s.output === t);
    const targetMalloc = out.findIndex((s) => s.type === "malloc" && s.output === target);
    if (tMalloc < 0 || tMalloc > i || targetMalloc < 0) continue;
    const size = (out[targetMalloc] as { size: number }).size;
    out = out.flatMap((s, j): Step[] => {
      if (j === tMalloc) return [{ type: "malloc", size, output: target }];
      if (j === i) return [{ type: "execute", source: product, inputs: step.inputs, outputs: [target] }];
      if (s === copy || j === targetMalloc || (s.type === "free" && s.input === t)) return [];
      return [s];
    });
    fused = true;
  }
  return fused ? out : null;
}
