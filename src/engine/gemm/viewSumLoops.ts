/**
 * The loops of a data-movement kernel (viewSum.ts), before any Wasm is written: each term's box as
 * nested loops with constant byte steps (extent-1 dimensions dropped, dimensions contiguous in both
 * input and output merged), whether the terms' boxes are disjoint and cover the output (then terms
 * are stored, not added, and nothing is zeroed first), and which consecutive terms can share one nest.
 * When every term spans the whole first axis (the batch), the module computes the rows [start, end) of
 * that axis that it is called with (viewSumRows), so the thread pool can split it; each element is still
 * summed alone in the same order, so any split gives the same bits.
 */
import type { ViewSum, ViewTerm } from "./viewSum.js";

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
export function loopsOf(
  t: ViewTerm,
  elt: number,
  rows = false,
): { dims: Dim[]; inBase: number; outBase: number } | null {
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
export function sharedLoopGroups(terms: ViewTerm[], elt: number, rows: boolean): ViewTerm[][] {
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
