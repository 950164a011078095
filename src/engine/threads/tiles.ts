/**
 * How a product C[M×N] is cut into tiles for the threads: blocks of whole rows or of whole columns
 * of C, never of K, so every output element is summed in the same order whatever the thread count.
 * Cutting rows repeats the packing of B in every tile, cutting columns repeats A's: either costs
 * about 1/(tile size) of the tile's work, so the longer side is cut.
 */

/** Rows or columns of C per tile are multiples of the GEMM's register tile (4 rows, 8 or 4 columns). */
const ROW_ALIGN = 4;
const COLUMN_ALIGN = { float32: 8, float64: 4 } as const;
/** Tiles per thread: more balance a descheduled or late thread better, fewer repeat less packing. */
export const TILES_PER_THREAD = 2;
/** Each tile keeps at least this many rows or columns (short tiles pack a whole operand for little work). */
export const MIN_TILE = 16;
/** At most this many tiles (the claim word holds the tile index in 16 bits). */
export const MAX_TILES = 0xffff;

export interface TilePlan {
  /**
   * "rows": tile t covers rows [t·size, (t+1)·size) of C; "columns": the same for columns; "items": work
   * items [t·size, (t+1)·size) of one of jax-js's own kernels (each output element computed alone).
   */
  axis: "rows" | "columns" | "items";
  size: number;
  count: number;
}

export function tilePlan(M: number, N: number, dtype: "float32" | "float64", threads: number): TilePlan {
  const axis = N > M ? "columns" : "rows";
  const length = axis === "rows" ? M : N;
  const align = axis === "rows" ? ROW_ALIGN : COLUMN_ALIGN[dtype];
  const wanted = Math.max(1, threads * TILES_PER_THREAD);
  let size = Math.ceil(length / wanted / align) * align;
  size = Math.max(size, Math.min(length, Math.ceil(MIN_TILE / align) * align));
  size = Math.max(size, Math.ceil(length / MAX_TILES));
  return { axis, size, count: Math.ceil(length / size) };
}

/** Tiles of `items` work items, multiples of jax-js's chunk alignment (its kernels' vector width and tiles). */
export function itemPlan(items: number, alignment: number, threads: number): TilePlan {
  const size = Math.ceil(items / Math.max(1, threads * TILES_PER_THREAD) / alignment) * alignment;
  return { axis: "items", size, count: Math.ceil(items / size) };
}

/**
 * Tile t as [m0, m1, n0, n1]: the range of rows and of columns of C it computes; for "items", the work
 * items [m0, m1) of M.
 */
export function tileRange(plan: TilePlan, t: number, M: number, N: number): [number, number, number, number] {
  const start = t * plan.size;
  if (plan.axis === "items") return [start, Math.min(M, start + plan.size), 0, 0];
  if (plan.axis === "rows") return [start, Math.min(M, start + plan.size), 0, N];
  return [0, M, start, Math.min(N, start + plan.size)];
}
