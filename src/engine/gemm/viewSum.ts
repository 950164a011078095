/**
 * Kernels that only move data: out = t₀ + t₁ + … where each term is one strided view of an input,
 * optionally masked to a box (reading 0 outside it). jax-js lowers concatenate, pad and slice copies,
 * and the transpose of a concatenation of windows (a sum of padded cotangents), to such kernels. Its
 * generic code evaluates every term at every output element with a div/mod unravel per dimension and
 * a bounds test per mask; an im2col concatenation of 9 windows ran at 5–9 ns per element.
 *
 * Here each term becomes nested loops over its own box only: pointers advance by constant byte steps,
 * dimensions contiguous in both input and output are merged, and the innermost contiguous run is added
 * with f32x4/f64x2. The module is generated per kernel with every constant baked in (no template).
 * The output is zeroed, then each term is added in jax-js's order, so results are bit-identical
 * (up to the sign of an exact zero). A sum under a ReLU mask, where(0 < m, Σ views, 0) (the CNN's
 * conv-input gradient fused with the ReLU's backward), is the sum followed by one vector pass
 * that zeroes the elements whose m is not positive.
 * When every term spans the whole first axis (the batch), the module computes the rows [start, end) of
 * that axis that it is called with (viewSumRows), so the thread pool can split it; each element is still
 * summed alone in the same order, so any split gives the same bits.
 */
import type { AluNode, MatchTools } from "./match.js";
import { sleb, uleb, wasmName, wasmSection, WASM_HEADER } from "../wasmBytes.js";

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
/** Contiguous runs of at most this many 16-byte vectors are unrolled (no loop). */
const UNROLL_VECTORS = 8;

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

// ---- Wasm encoding ----
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];

const I32 = 0x7f;
const op = {
  localGet: (i: number) => [0x20, ...uleb(i)],
  localSet: (i: number) => [0x21, ...uleb(i)],
  localTee: (i: number) => [0x22, ...uleb(i)],
  i32Const: (n: number) => [0x41, ...sleb(n | 0)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32LeS: [0x4c],
  i32LtS: [0x48],
  if: [0x04, 0x40],
  return: [0x0f],
  loop: [0x03, 0x40],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  end: [0x0b],
  memoryFill: [0xfc, ...uleb(11), 0x00],
};

/** A dimension of a term's loop nest: extent and byte steps in the input and the output. */
type Dim = { n: number; inStep: number; outStep: number };

/**
 * Rows of the first axis that calls may split the sum into (jax-js's work items): its extent when every
 * term spans it whole and, under a ReLU mask, each row is whole vectors; else 1 (one call does it all).
 */
export function viewSumRows(sum: ViewSum): number {
  const rows = sum.terms[0].shape[0];
  if (sum.terms[0].shape.length < 2 || !(rows >= 2) || sum.size % rows !== 0) return 1;
  if (!sum.terms.every((t) => t.shape[0] === rows && t.box[0][0] === 0 && t.box[0][1] === rows)) return 1;
  const rowBytes = (sum.size / rows) * (sum.dtype === "float32" ? 4 : 8);
  return sum.reluMask && rowBytes % 16 !== 0 ? 1 : rows;
}

/** Elements read and written per row (the work of one item, for the thread pool's threshold). */
export const viewSumRowWork = (sum: ViewSum): number =>
  (sum.terms.reduce((v, t) => v + volume(t), 0) + sum.size) / viewSumRows(sum);

/**
 * The term's box as loops (extent-1 dimensions dropped, contiguous neighbours merged) and base byte offsets.
 * `rows`: the first axis stays a loop of its own, never merged (the rows a call computes).
 */
function loopsOf(t: ViewTerm, elt: number, rows = false): { dims: Dim[]; inBase: number; outBase: number } | null {
  const rank = t.shape.length;
  const outStrides = t.shape.map((_, d) => t.shape.slice(d + 1).reduce((a, b) => a * b, 1));
  let inBase = t.offset;
  let outBase = 0;
  const dims: Dim[] = [];
  for (let d = 0; d < rank; d++) {
    const [lo, hi] = t.box[d];
    if (hi <= lo) return null;
    inBase += lo * t.strides[d];
    outBase += lo * outStrides[d];
    if (hi - lo === 1) continue;
    const dim = { n: hi - lo, inStep: t.strides[d] * elt, outStep: outStrides[d] * elt };
    const prev = dims.at(-1);
    const mergeable = !rows || dims.length > 1;
    if (prev && mergeable && prev.inStep === dim.inStep * dim.n && prev.outStep === dim.outStep * dim.n) {
      dims[dims.length - 1] = { n: prev.n * dim.n, inStep: dim.inStep, outStep: dim.outStep };
    } else dims.push(dim);
  }
  // A row of one element: the run inside the row loop is that element.
  if (rows && dims.length === 1) dims.push({ n: 1, inStep: elt, outStep: elt });
  return { dims, inBase: inBase * elt, outBase: outBase * elt };
}

const sameShape = (a: ViewTerm, b: ViewTerm) =>
  a.shape.length === b.shape.length && a.shape.every((n, d) => n === b.shape[d]);
const volume = (t: ViewTerm) => t.box.reduce((v, [lo, hi]) => v * Math.max(hi - lo, 0), 1);

/**
 * Whether no two terms' boxes overlap (then each element is written once, so terms are stored
 * rather than added), and whether they also cover the output (then it needs no zeroing first).
 */
export function layout(sum: ViewSum): { disjoint: boolean; covering: boolean } {
  const { terms } = sum;
  for (let a = 0; a < terms.length; a++) {
    for (let b = a + 1; b < terms.length; b++) {
      if (!sameShape(terms[a], terms[b])) return { disjoint: false, covering: false };
      const apart = terms[a].box.some(([lo, hi], d) => hi <= terms[b].box[d][0] || terms[b].box[d][1] <= lo);
      if (!apart) return { disjoint: false, covering: false };
    }
  }
  return { disjoint: true, covering: terms.reduce((v, t) => v + volume(t), 0) === sum.size };
}

/**
 * Consecutive terms that read the same input through the same loops (the windows of an im2col),
 * to be run as one nest writing each output position's terms together; only for disjoint
 * layouts, where every element is written once, so the order of the writes does not matter.
 */
function sharedLoopGroups(terms: ViewTerm[], elt: number, rows: boolean): ViewTerm[][] {
  const groups: ViewTerm[][] = [];
  const key = (t: ViewTerm) => {
    const loops = loopsOf(t, elt, rows);
    return loops ? `${t.arg}:${JSON.stringify(loops.dims)}` : null;
  };
  let last: string | null = null;
  for (const t of terms) {
    const k = key(t);
    if (k !== null && k === last) groups[groups.length - 1].push(t);
    else groups.push([t]);
    last = k;
  }
  return groups;
}

/**
 * The module's bytes: `kernel(in₀, …, out, start, end)` importing env.memory (shared or not, like jax-js's).
 * When viewSumRows(sum) > 1 it computes rows [start, end) of the first axis, one row at a time: the row's
 * zeroing, every term's part of it in order, then its mask, while the row is in cache (a term adds to
 * each element in the same order as when terms run one after the other). Otherwise it computes everything.
 * `rowByRow` false: each of those passes runs over all the rows first (the former order, for A/B).
 */
export function viewSumModuleBytes(sum: ViewSum, shared: boolean, rowByRow = true): Uint8Array<ArrayBuffer> {
  const elt = sum.dtype === "float32" ? 4 : 8;
  const nparams = sum.nargs + 3;
  const outParam = sum.nargs;
  const [startParam, endParam] = [sum.nargs + 1, sum.nargs + 2];
  const split = viewSumRows(sum) > 1;
  const rowBytes = split ? (sum.size / viewSumRows(sum)) * elt : sum.size * elt;
  // Locals after the params: the row, then per loop level an input pointer, an output pointer and a counter.
  const row = nparams;
  const first = nparams + 1;
  /** param + base, plus row · rowStep when split: a pointer into the current row. */
  const pointer = (param: number, base: number, rowStep: number) => [
    ...op.localGet(param),
    ...op.i32Const(base),
    ...op.i32Add,
    ...(split ? [...op.localGet(row), ...op.i32Const(rowStep), ...op.i32Mul, ...op.i32Add] : []),
  ];
  const [load, store, add, align] = sum.dtype === "float32" ? [0x2a, 0x38, [0x92], 2] : [0x2b, 0x39, [0xa0], 3];
  const vAdd = sum.dtype === "float32" ? [0xfd, ...uleb(228)] : [0xfd, ...uleb(240)];
  const memarg = (a: number, offset: number) => [...uleb(a), ...uleb(offset)];
  let maxLevels = 0;
  const { disjoint, covering } = layout(sum);
  // The passes over a row: zeroing, each group of terms, the mask.
  const passes: number[][] = [];
  let rowCode: number[] = [];
  passes.push(rowCode);
  if (!covering)
    rowCode.push(...pointer(outParam, 0, rowBytes), ...op.i32Const(0), ...op.i32Const(rowBytes), ...op.memoryFill);
  for (const group of disjoint ? sharedLoopGroups(sum.terms, elt, split) : sum.terms.map((t) => [t])) {
    const all = group.map((t) => loopsOf(t, elt, split));
    const loops = all[0];
    if (!loops) continue;
    // Split: dims[0] is the row, run by the loop around everything.
    const dims = split ? loops.dims.slice(1) : loops.dims;
    const rowStep = split ? loops.dims[0] : { inStep: 0, outStep: 0 };
    // One loop nest for the group: each term at constant byte shifts from the group's lowest bases.
    const inBase = Math.min(...all.map((g) => g!.inBase));
    const outBase = Math.min(...all.map((g) => g!.outBase));
    const shifts = all.map((g) => ({ dIn: g!.inBase - inBase, dOut: g!.outBase - outBase }));
    const t = group[0];
    passes.push((rowCode = []));
    // The innermost dimension becomes a run (vector adds when contiguous); the rest are loop levels.
    const inner = dims.at(-1) ?? { n: 1, inStep: elt, outStep: elt };
    const outer = dims.slice(0, -1);
    const levels = outer.length + 1;
    maxLevels = Math.max(maxLevels, levels);
    const inP = (l: number) => first + 3 * l;
    const outP = (l: number) => first + 3 * l + 1;
    const cnt = (l: number) => first + 3 * l + 2;
    rowCode.push(...pointer(t.arg, inBase, rowStep.inStep), ...op.localSet(inP(0)));
    rowCode.push(...pointer(outParam, outBase, rowStep.outStep), ...op.localSet(outP(0)));
    const step = (l: number, inStep: number, outStep: number, count: number) => [
      ...op.localGet(inP(l)),
      ...op.i32Const(inStep),
      ...op.i32Add,
      ...op.localSet(inP(l)),
      ...op.localGet(outP(l)),
      ...op.i32Const(outStep),
      ...op.i32Add,
      ...op.localSet(outP(l)),
      ...op.localGet(cnt(l)),
      ...op.i32Const(count),
      ...op.i32Sub,
      ...op.localTee(cnt(l)),
      ...op.brIf(0),
    ];
    // out[i] += in[i], or out[i] = in[i] when no other term writes there.
    const addAt = (l: number, offset: number, vector: boolean) =>
      shifts.flatMap(({ dIn, dOut }) => {
        const loadAt = (at: number) => (vector ? [0xfd, ...uleb(0), ...memarg(0, at)] : [load, ...memarg(align, at)]);
        const at = offset + dOut;
        const storeOp = vector ? [0xfd, ...uleb(11), ...memarg(0, at)] : [store, ...memarg(align, at)];
        const value = [...op.localGet(inP(l)), ...loadAt(offset + dIn)];
        if (disjoint) return [...op.localGet(outP(l)), ...value, ...storeOp];
        return [
          ...op.localGet(outP(l)),
          ...op.localGet(outP(l)),
          ...loadAt(at),
          ...value,
          ...(vector ? vAdd : add),
          ...storeOp,
        ];
      });
    const run = (l: number): number[] => {
      const code: number[] = [];
      // The run works on level l's pointers through copies at level `levels - 1`'s slots.
      const r = levels - 1;
      if (r !== l) {
        code.push(...op.localGet(inP(l)), ...op.localSet(inP(r)), ...op.localGet(outP(l)), ...op.localSet(outP(r)));
      }
      if (inner.inStep === elt && inner.outStep === elt) {
        const perVector = 16 / elt;
        const vectors = Math.floor(inner.n / perVector);
        // Short runs (a conv's channels) are unrolled; the tail then follows at a constant offset.
        const unrolled = vectors <= UNROLL_VECTORS;
        if (unrolled) for (let v = 0; v < vectors; v++) code.push(...addAt(r, v * 16, true));
        else {
          code.push(...op.i32Const(vectors), ...op.localSet(cnt(r)), ...op.loop, ...addAt(r, 0, true));
          code.push(...step(r, 16, 16, 1), ...op.end);
        }
        const tailAt = unrolled ? vectors * 16 : 0;
        for (let i = 0; i < inner.n - vectors * perVector; i++) code.push(...addAt(r, tailAt + i * elt, false));
      } else if (inner.n === 1) {
        code.push(...addAt(r, 0, false));
      } else {
        code.push(...op.i32Const(inner.n), ...op.localSet(cnt(r)), ...op.loop, ...addAt(r, 0, false));
        code.push(...step(r, inner.inStep, inner.outStep, 1), ...op.end);
      }
      return code;
    };
    const nest = (l: number): number[] => {
      if (l === outer.length) return run(l);
      const d = outer[l];
      const code = [...op.i32Const(d.n), ...op.localSet(cnt(l)), ...op.loop];
      if (l + 1 < outer.length) {
        code.push(...op.localGet(inP(l)), ...op.localSet(inP(l + 1)));
        code.push(...op.localGet(outP(l)), ...op.localSet(outP(l + 1)));
        code.push(...nest(l + 1));
      } else code.push(...run(l));
      code.push(...step(l, d.inStep, d.outStep, 1), ...op.end);
      return code;
    };
    rowCode.push(...(outer.length === 0 ? run(0) : nest(0)));
  }
  if (sum.reluMask) {
    // out & (0 < m), or out & ~(m < 0), lane by lane over whole vectors: an exact select of out or +0.
    maxLevels = Math.max(maxLevels, 1);
    const { arg, offset, keep } = sum.reluMask;
    const [mP, oP, cnt] = [first, first + 1, first + 2];
    const lt = sum.dtype === "float32" ? [0xfd, ...uleb(67)] : [0xfd, ...uleb(73)];
    const zero = [0xfd, ...uleb(12), ...new Array(16).fill(0)];
    const v128Load = [0xfd, ...uleb(0), ...memarg(0, 0)];
    const m = [...op.localGet(mP), ...v128Load];
    passes.push((rowCode = []));
    rowCode.push(...pointer(arg, offset * elt, rowBytes), ...op.localSet(mP));
    rowCode.push(...pointer(outParam, 0, rowBytes), ...op.localSet(oP));
    rowCode.push(...op.i32Const(rowBytes / 16), ...op.localSet(cnt), ...op.loop);
    rowCode.push(...op.localGet(oP), ...op.localGet(oP), ...v128Load);
    // v128.and (0x4e) with 0 < m; v128.andnot (0x4f) with m < 0.
    if (keep === "positive") rowCode.push(...zero, ...m, ...lt, 0xfd, ...uleb(78));
    else rowCode.push(...m, ...zero, ...lt, 0xfd, ...uleb(79));
    rowCode.push(0xfd, ...uleb(11), ...memarg(0, 0));
    rowCode.push(...op.localGet(mP), ...op.i32Const(16), ...op.i32Add, ...op.localSet(mP));
    rowCode.push(...op.localGet(oP), ...op.i32Const(16), ...op.i32Add, ...op.localSet(oP));
    rowCode.push(...op.localGet(cnt), ...op.i32Const(1), ...op.i32Sub, ...op.localTee(cnt), ...op.brIf(0), ...op.end);
  }
  const body: number[] = [];
  // for (row = start; row < end; row++) { code }
  const overRows = (code: number[]) => [
    ...[...op.localGet(startParam), ...op.localSet(row), ...op.loop, ...code],
    ...[...op.localGet(row), ...op.i32Const(1), ...op.i32Add, ...op.localTee(row)],
    ...[...op.localGet(endParam), ...op.i32LtS, ...op.brIf(0), ...op.end],
  ];
  if (split) {
    body.push(...op.localGet(endParam), ...op.localGet(startParam), ...op.i32LeS, ...op.if, ...op.return, ...op.end);
    if (rowByRow) body.push(...overRows(passes.flat()));
    else for (const pass of passes) if (pass.length) body.push(...overRows(pass));
  } else body.push(...passes.flat());
  body.push(...op.end);
  const locals = vec([[...uleb(1 + 3 * maxLevels), I32]]);
  const func = [...locals, ...body];
  const limits = shared ? [0x03, ...uleb(0), ...uleb(65536)] : [0x00, ...uleb(0)];
  const bytes = [
    ...WASM_HEADER,
    ...wasmSection(1, vec([[0x60, ...vec(Array.from({ length: nparams }, () => [I32])), ...vec([])]])),
    ...wasmSection(2, vec([[...wasmName("env"), ...wasmName("memory"), 0x02, ...limits]])),
    ...wasmSection(3, vec([[0x00]])),
    ...wasmSection(7, vec([[...wasmName("kernel"), 0x00, 0x00]])),
    ...wasmSection(10, vec([[...uleb(func.length), ...func]])),
  ];
  return new Uint8Array(bytes);
}
