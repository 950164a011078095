/**
 * Recognises a jax-js reduction kernel that is a matrix product: exp = Mul(A view, B view) with an
 * Add reduction, both views single unmasked strided views of shape [M, N, K] indexed by
 * (gidx ÷ N mod M, gidx mod N, ridx), one constant along N (A), one along M (B); and an epilogue
 * that is acc, acc + (a strided [M, N] view), optionally under max(·, 0). Everything else: null.
 */
import type { GemmDtype, GemmParams } from "./module.js";

/** The parts of jax-js's internal AluExp/ShapeTracker/View that matching reads. */
export interface AluNode {
  op: string;
  dtype: string;
  src: AluNode[];
  arg: unknown;
}
export interface ViewLike {
  shape: number[];
  strides: number[];
  offset: number;
  mask: unknown;
}
export interface KernelLike {
  nargs: number;
  size: number;
  exp: AluNode;
  reduction?: { op: string; dtype: string; size: number; epilogue: AluNode };
}

/** jax-js internals the matcher needs: the canonical index expressions and structural equality. */
export interface MatchTools {
  unravel(shape: number[], index: AluNode): AluNode[];
  gidx: AluNode;
  ridx: AluNode;
  deepEqual(a: unknown, b: unknown): boolean;
}

export type GemmMatch = { kind: "gemm" | "dot"; dtype: GemmDtype; params: Omit<GemmParams, "scratch"> };

/** One-output reductions shorter than this stay with jax-js (its loop is fine for small K). */
const MIN_DOT = 1024;

/** Products smaller than this (in multiply-adds) or thinner than 4 stay with jax-js's own code. */
const MIN_WORK = 16384;
const MIN_SIDE = 4;

function singleView(
  node: AluNode,
  dtype: string,
  shape: number[],
  src: AluNode[],
  tools: MatchTools,
): { gid: number; view: ViewLike } | null {
  if (node.op !== "GlobalView" || node.dtype !== dtype) return null;
  const [gid, tracker] = node.arg as [number, { views: ViewLike[] }];
  if (tracker.views.length !== 1) return null;
  const view = tracker.views[0];
  if (view.mask !== null || !tools.deepEqual(view.shape, shape) || !tools.deepEqual(node.src, src)) return null;
  return { gid, view };
}

type Epilogue = { view: { gid: number; view: ViewLike } | null; relu: boolean };

function matchEpilogue(node: AluNode, dtype: string, shape: number[], tools: MatchTools): Epilogue | null {
  const isAcc = (n: AluNode) => n.op === "Variable" && n.arg === "acc" && n.dtype === dtype;
  const isZero = (n: AluNode) => n.op === "Const" && n.arg === 0;
  let relu = false;
  if (node.op === "Max" && node.src.length === 2) {
    const [x, y] = node.src;
    if (isZero(y)) node = x;
    else if (isZero(x)) node = y;
    else return null;
    relu = true;
  }
  if (isAcc(node)) return { view: null, relu };
  if (node.op !== "Add" || node.src.length !== 2) return null;
  const [x, y] = node.src;
  const other = isAcc(x) ? y : isAcc(y) ? x : null;
  if (!other) return null;
  const view = singleView(other, dtype, shape, tools.unravel(shape, tools.gidx), tools);
  return view ? { view, relu } : null;
}

export function matchGemm(kernel: KernelLike, tools: MatchTools): GemmMatch | null {
  const re = kernel.reduction;
  if (re?.op !== "Add" || (re.dtype !== "float32" && re.dtype !== "float64")) return null;
  const dtype = re.dtype;
  const exp = kernel.exp;
  if (exp.op !== "Mul" || exp.dtype !== dtype || exp.src.length !== 2) return null;
  const first = exp.src[0];
  if (first.op !== "GlobalView") return null;
  const shape = (first.arg as [number, { views: ViewLike[] }])[1].views.at(-1)!.shape;
  if (shape.length === 1 && kernel.size === 1) return matchDot(kernel, dtype, tools);
  if (shape.length !== 3) return null;
  const [M, N, K] = shape;
  if (K !== re.size || M * N !== kernel.size || M < MIN_SIDE || N < MIN_SIDE || M * N * K < MIN_WORK) return null;
  const src = [...tools.unravel([M, N], tools.gidx), tools.ridx];
  const x = singleView(exp.src[0], dtype, shape, src, tools);
  const y = singleView(exp.src[1], dtype, shape, src, tools);
  if (!x || !y) return null;
  const [a, b] =
    x.view.strides[1] === 0 && y.view.strides[0] === 0
      ? [x, y]
      : y.view.strides[1] === 0 && x.view.strides[0] === 0
        ? [y, x]
        : [null, null];
  if (!a || !b) return null;
  const epilogue = matchEpilogue(re.epilogue, dtype, [M, N], tools);
  if (!epilogue) return null;
  const e = epilogue.view;
  return {
    kind: "gemm",
    dtype,
    params: {
      M,
      N,
      K,
      argA: a.gid,
      aOff: a.view.offset,
      aSm: a.view.strides[0],
      aSk: a.view.strides[2],
      argB: b.gid,
      bOff: b.view.offset,
      bSn: b.view.strides[1],
      bSk: b.view.strides[2],
      argOut: kernel.nargs,
      argE: e ? e.gid : -1,
      eOff: e ? e.view.offset : 0,
      eSm: e ? e.view.strides[0] : 0,
      eSn: e ? e.view.strides[1] : 0,
      relu: epilogue.relu ? 1 : 0,
    },
  };
}

/** sum_k A[k]·B[k] into one output, A and B strided vectors (often the same one: a squared norm). */
function matchDot(kernel: KernelLike, dtype: GemmDtype, tools: MatchTools): GemmMatch | null {
  const K = kernel.reduction!.size;
  if (K < MIN_DOT || !isAccOnly(kernel.reduction!.epilogue, dtype)) return null;
  const a = singleView(kernel.exp.src[0], dtype, [K], [tools.ridx], tools);
  const b = singleView(kernel.exp.src[1], dtype, [K], [tools.ridx], tools);
  if (!a || !b) return null;
  return {
    kind: "dot",
    dtype,
    params: {
      M: 1,
      N: 1,
      K,
      argA: a.gid,
      aOff: a.view.offset,
      aSm: 0,
      aSk: a.view.strides[0],
      argB: b.gid,
      bOff: b.view.offset,
      bSn: 0,
      bSk: b.view.strides[0],
      argOut: kernel.nargs,
      argE: -1,
      eOff: 0,
      eSm: 0,
      eSn: 0,
      relu: 0,
    },
  };
}

const isAccOnly = (node: AluNode, dtype: string) =>
  node.op === "Variable" && node.arg === "acc" && node.dtype === dtype;
