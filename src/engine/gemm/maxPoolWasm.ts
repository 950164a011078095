/**
 * Wasm code for max pooling over non-overlapping s×s windows of an NHWC array x [n, ho·s, wo·s, C]
 * (maxPoolRewrite.ts), as jax-js computes it from Descent's tree of `maximum`s (src/nn/shape.ts):
 * - forward: y = the tree of maxima over the s² window elements, one pass over x;
 * - backward: dx, for each window, g at the element the tree's compares select (x < y sends the
 *   gradient right, anything else left: the first maximum) and +0 elsewhere, one pass over x and g.
 * Each node is the same IEEE max / less-than as jax-js's elementwise kernels, in the same tree, lane by
 * lane: bit-identical. Channels are whole vectors (C a multiple of 4 in float32, 2 in float64). A call
 * computes the pooled rows [begin, end) of the n·ho rows, each alone: any split gives the same bits.
 */
import { kernelModuleBytes, sleb, uleb } from "../wasmBytes.js";

export type PoolDtype = "float32" | "float64";

/** The maximum tree: a window element k = i·s + j, or max(left, right) (left wins ties). */
export type PoolTree = { leaf: number } | { left: PoolTree; right: PoolTree };

export interface PoolShape {
  dtype: PoolDtype;
  /** Rows n·ho, window size s, pooled width wo, channels C. */
  rows: number;
  size: number;
  wo: number;
  channels: number;
  tree: PoolTree;
}

const SIMD = 0xfd;
const simd = (op: number) => [SIMD, ...uleb(op)];
const get = (l: number) => [0x20, ...uleb(l)];
const set = (l: number) => [0x21, ...uleb(l)];
const i32 = (n: number) => [0x41, ...sleb(n | 0)];
const ADD = 0x6a;
const MUL = 0x6c;
const SUB = 0x6b;
const load = (offset: number) => [...simd(0x00), 0, ...uleb(offset)];
const store = (offset: number) => [...simd(0x0b), 0, ...uleb(offset)];
const OPS = {
  float32: { bytes: 4, max: 0xe9, lt: 0x43 },
  float64: { bytes: 8, max: 0xf5, lt: 0x49 },
} as const;
const [V128_NOT, V128_AND, V128_ANDNOT] = [0x4d, 0x4e, 0x4f];

/** The element's byte offset from its window's first element in x. */
const leafOffset = (p: PoolShape, k: number) =>
  (Math.floor(k / p.size) * p.wo * p.size + (k % p.size)) * p.channels * OPS[p.dtype].bytes;

/** Row loop over [begin, end), window loop over wo, vector loop over C; `body` per vector, pointers stepped. */
function loops(
  p: PoolShape,
  a: { begin: number; end: number; r: number; w: number; c: number },
  pointers: Ptr[],
  body: number[],
) {
  const bytes = OPS[p.dtype].bytes;
  const rowX = p.size * p.wo * p.size * p.channels * bytes;
  const rowY = p.wo * p.channels * bytes;
  const out: number[] = [...get(a.begin), ...set(a.r), 0x02, 0x40, 0x03, 0x40];
  out.push(...get(a.r), ...get(a.end), 0x4f, 0x0d, 1); // r >= end: done
  for (const q of pointers)
    out.push(...get(q.base), ...get(a.r), ...i32(q.window ? rowX : rowY), MUL, ADD, ...set(q.local));
  out.push(...i32(p.wo), ...set(a.w), 0x03, 0x40); // windows
  out.push(...i32((p.channels * bytes) / 16), ...set(a.c), 0x03, 0x40); // vectors
  out.push(...body);
  for (const q of pointers) out.push(...get(q.local), ...i32(16), ADD, ...set(q.local));
  out.push(...get(a.c), ...i32(1), SUB, 0x22, ...uleb(a.c), 0x0d, 0, 0x0b);
  // Past a window's first row: on to the next window's first element.
  for (const q of pointers)
    if (q.window) out.push(...get(q.local), ...i32((p.size - 1) * p.channels * bytes), ADD, ...set(q.local));
  out.push(...get(a.w), ...i32(1), SUB, 0x22, ...uleb(a.w), 0x0d, 0, 0x0b);
  out.push(...get(a.r), ...i32(1), ADD, ...set(a.r), 0x0c, 0, 0x0b, 0x0b);
  return out;
}

/** A pointer walked by the loops: `base` parameter, `local` running value, x-shaped (window) or pooled. */
type Ptr = { base: number; local: number; window: boolean };

/**
 * Code computing every node's value into v128 locals (post-order from `first`), leaves loaded from the
 * pointer in `x`; each inner node also keeps its compare mask (left < right) when `masks`.
 */
function evalTree(p: PoolShape, x: number, first: number, masks: boolean) {
  const t = OPS[p.dtype];
  const code: number[] = [];
  let next = first;
  const maskOf = new Map<PoolTree, number>();
  const walk = (node: PoolTree): number => {
    if ("leaf" in node) {
      const local = next++;
      code.push(...get(x), ...load(leafOffset(p, node.leaf)), ...set(local));
      return local;
    }
    const [l, r] = [walk(node.left), walk(node.right)];
    if (masks) {
      maskOf.set(node, next);
      code.push(...get(l), ...get(r), ...simd(t.lt), ...set(next++));
    }
    const local = next++;
    code.push(...get(l), ...get(r), ...simd(t.max), ...set(local));
    return local;
  };
  const root = walk(p.tree);
  return { code, root, maskOf, used: next - first };
}

function module(params: number, i32Locals: number, v128Locals: number, code: number[]): Uint8Array<ArrayBuffer> {
  return kernelModuleBytes(params, [2, ...uleb(i32Locals), 0x7f, ...uleb(v128Locals), 0x7b, ...code, 0x0b]);
}

/** `kernel(x, y, begin, end)`: y's pooled rows [begin, end). */
export function poolForwardBytes(p: PoolShape): Uint8Array<ArrayBuffer> {
  // Parameters 0 x, 1 y, 2 begin, 3 end; i32 locals 4 r, 5 w, 6 c, 7 xp, 8 yp; v128 from 9.
  const tree = evalTree(p, 7, 9, false);
  const body = [...get(8), ...tree.code, ...get(tree.root), ...store(0)];
  const pointers: Ptr[] = [
    { base: 0, local: 7, window: true },
    { base: 1, local: 8, window: false },
  ];
  const code = loops(p, { begin: 2, end: 3, r: 4, w: 5, c: 6 }, pointers, body);
  return module(4, 5, tree.used, code);
}

/** `kernel(x, g, dx, begin, end)`: dx's rows for pooled rows [begin, end); g is y's cotangent. */
export function poolBackwardBytes(p: PoolShape): Uint8Array<ArrayBuffer> {
  // Parameters 0 x, 1 g, 2 dx, 3 begin, 4 end; i32 locals 5 r, 6 w, 7 c, 8 xp, 9 gp, 10 dp; v128 from 11.
  const tree = evalTree(p, 8, 12, true);
  const g0 = 11;
  // The scatter (viewSum.ts) stores each window's cotangent as is (its boxes tile dx): g or +0.
  const body = [...tree.code, ...get(9), ...load(0), ...set(g0)];
  // Each element's mask: the AND along its path of "went right" (c) or "went left" (not c).
  const paths = (node: PoolTree, path: { mask: number; right: boolean }[]) => {
    if ("leaf" in node) {
      body.push(...get(10), ...get(g0));
      path.forEach((step, d) => {
        body.push(...get(step.mask));
        if (d > 0) body.push(...simd(step.right ? V128_AND : V128_ANDNOT));
        else if (!step.right) body.push(...simd(V128_NOT));
      });
      // Stack: dx pointer, g0, m₀, (m₀ ∧ …): fold the path mask into g0.
      body.push(...simd(V128_AND), ...store(leafOffset(p, node.leaf)));
      return;
    }
    const mask = tree.maskOf.get(node) as number;
    paths(node.left, [...path, { mask, right: false }]);
    paths(node.right, [...path, { mask, right: true }]);
  };
  paths(p.tree, []);
  const pointers: Ptr[] = [
    { base: 0, local: 8, window: true },
    { base: 1, local: 9, window: false },
    { base: 2, local: 10, window: true },
  ];
  const code = loops(p, { begin: 3, end: 4, r: 5, w: 6, c: 7 }, pointers, body);
  return module(5, 6, 1 + tree.used, code);
}
