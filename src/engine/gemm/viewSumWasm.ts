/**
 * The Wasm module of a data-movement kernel (viewSum.ts), generated per kernel with every constant
 * baked in (no template): each term becomes nested loops over its own box only (viewSumLoops.ts),
 * pointers advance by constant byte steps, and the innermost contiguous run is added with f32x4/f64x2.
 * The output is zeroed, then each term is added in jax-js's order, so results are bit-identical
 * (up to the sign of an exact zero). A sum under a ReLU mask is the sum followed by one vector pass
 * that zeroes the elements whose m is not positive.
 */
import type { ViewSum } from "./viewSum.js";
import { layout, loopsOf, sharedLoopGroups, viewSumRows } from "./viewSumLoops.js";
import { kernelModuleBytes, sleb, uleb } from "../wasmBytes.js";

/** Contiguous runs of at most this many 16-byte vectors are unrolled (no loop). */
const UNROLL_VECTORS = 8;

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
  return kernelModuleBytes(nparams, func, shared);
}
