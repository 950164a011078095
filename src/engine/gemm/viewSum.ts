/**
 * Kernels that only move data: out = t₀ + t₁ + … where each term is one strided view of an input,
 * optionally masked to a box (reading 0 outside it). jax-js lowers concatenate, pad and slice copies,
 * and the transpose of a concatenation of windows (a sum of padded cotangents), to such kernels. Its
 * generic code evaluates every term at every output element with a div/mod unravel per dimension and
 * a bounds test per mask; an im2col concatenation of 9 windows ran at 5–9 ns per element.
 *
 * This file recognises them in a jax-js kernel (matchViewSum), as a list of terms, each one view and
 * its box, optionally under a ReLU mask: where(0 < m, Σ views, 0), the CNN's conv-input gradient fused
 * with the ReLU's backward. viewSumLoops.ts turns the terms into loops and rows, viewSumWasm.ts writes
 * the module, viewSumRouting.ts compiles it at kernel preparation.
 */
import type { AluNode, MatchTools } from "./match.js";

export type ViewDtype = "float32" | "float64";

/** One term: out[i] += input[arg][offset + Σ i_d·strides_d] for i inside box (row-major over shape). */
export interface ViewTerm {
  arg: number;
  shape: number[];
  strides: number[];
  offset: number;
  box: [number, number][];
}

export interface ViewSum {
  dtype: ViewDtype;
  /** Number of input arguments; the output pointer follows them. */
  nargs: number;
  size: number;
  terms: ViewTerm[];
  /**
   * A ReLU's backward around the sum, m = input[arg][offset + i] row-major over the output:
   * "positive" is where(0 < m, Σ terms, 0), "notNegative" is where(m < 0, 0, Σ terms).
   */
  reluMask?: { arg: number; offset: number; keep: "positive" | "notNegative" };
}

interface KernelLike {
  nargs: number;
  size: number;
  exp: AluNode;
  reduction?: unknown;
}
interface ViewLike {
  shape: number[];
  strides: number[];
  offset: number;
  mask: [number, number][] | null;
}

/** Kernels with more terms than this stay with jax-js (each term is a loop nest in the module). */
const MAX_TERMS = 64;
/** Smaller kernels stay with jax-js: module compilation would cost more than it saves. */
const MIN_SIZE = 1024;

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** A view that only renames a row-major buffer: offset 0, no mask, row-major strides (any for size-1 axes). */
function isReshape(view: ViewLike): boolean {
  let stride = 1;
  for (let d = view.shape.length - 1; d >= 0; d--) {
    if (view.shape[d] !== 1 && view.strides[d] !== stride) return false;
    stride *= view.shape[d];
  }
  return view.offset === 0 && view.mask === null;
}

/**
 * One term: a GlobalView indexed canonically by gidx whose tracker is one view, or one view followed
 * by row-major reshapes of the same size (the output's flat index then is that view's flat index).
 */
function term(node: AluNode, kernel: KernelLike, dtype: string, tools: MatchTools): ViewTerm | null {
  if (node.op !== "GlobalView" || node.dtype !== dtype) return null;
  const [arg, tracker] = node.arg as [number, { views: ViewLike[] }];
  if (arg >= kernel.nargs) return null;
  const [view, ...outer] = tracker.views;
  if (size(view.shape) !== kernel.size || outer.some((v) => !isReshape(v) || size(v.shape) !== kernel.size))
    return null;
  if (!tools.deepEqual(node.src, tools.unravel((outer.at(-1) ?? view).shape, tools.gidx))) return null;
  const box = view.mask ?? view.shape.map((n): [number, number] => [0, n]);
  if (box.length !== view.shape.length) return null;
  return { arg, shape: view.shape, strides: view.strides, offset: view.offset, box };
}

/** A float elementwise kernel whose expression is a chain of Adds of single (masked) views, else null. */
export function matchViewSum(kernel: KernelLike, tools: MatchTools): ViewSum | null {
  if (kernel.reduction || kernel.size < MIN_SIZE) return null;
  const dtype = kernel.exp.dtype;
  if (dtype !== "float32" && dtype !== "float64") return null;
  const masked = reluMaskOf(kernel, dtype, tools);
  if (masked) {
    const sum = viewChain(masked.sum, kernel, dtype, tools);
    return sum && { ...sum, reluMask: masked.mask };
  }
  return viewChain(kernel.exp, kernel, dtype, tools);
}

function viewChain(root: AluNode, kernel: KernelLike, dtype: ViewDtype, tools: MatchTools): ViewSum | null {
  const terms: ViewTerm[] = [];
  let node = root;
  // Walk the chain from the last Add down: Add(rest, view) or Add(view, rest); a + b = b + a exactly.
  while (node.op === "Add" && node.dtype === dtype && node.src.length === 2) {
    const [x, y] = node.src;
    const right = term(y, kernel, dtype, tools);
    const left = right ? null : term(x, kernel, dtype, tools);
    if (!right && !left) return null;
    terms.push((right ?? left)!);
    node = right ? x : y;
    if (terms.length > MAX_TERMS) return null;
  }
  const first = term(node, kernel, dtype, tools);
  if (!first) return null;
  terms.push(first);
  return { dtype, nargs: kernel.nargs, size: kernel.size, terms: terms.reverse() };
}

/**
 * Where(0 < m, sum, 0) or Where(m < 0, 0, sum), m one unmasked row-major view read at the output's
 * index (a ReLU's backward, as max(x, 0) or x > 0 differentiate): the sum and the mask. The size
 * must be whole vectors.
 */
function reluMaskOf(kernel: KernelLike, dtype: ViewDtype, tools: MatchTools) {
  const { exp } = kernel;
  if (exp.op !== "Where" || exp.src.length !== 3 || kernel.size % (dtype === "float32" ? 4 : 2) !== 0) return null;
  const [cond, whenTrue, whenFalse] = exp.src;
  const isZero = (n: AluNode) => n.op === "Const" && n.arg === 0;
  if (cond.op !== "Cmplt" || cond.src.length !== 2) return null;
  const [a, b] = cond.src;
  const keep = isZero(a) && isZero(whenFalse) ? "positive" : isZero(b) && isZero(whenTrue) ? "notNegative" : null;
  if (!keep) return null;
  const view = term(keep === "positive" ? b : a, kernel, dtype, tools);
  if (!view || !isReshape({ ...view, offset: 0, mask: null })) return null;
  if (view.box.some(([lo, hi], d) => lo !== 0 || hi !== view.shape[d])) return null;
  const sum = keep === "positive" ? whenTrue : whenFalse;
  return { sum, mask: { arg: view.arg, offset: view.offset, keep } as const };
}
