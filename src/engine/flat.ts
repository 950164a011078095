import type { numpy as np } from "@jax-js/jax";
import { toDevice, type Precision } from "./precision.js";
import { leavesWithPaths, mapWithPaths, type Tree } from "./tree.js";

/** Where each leaf of a tree sits in the flat vector θ (leaves in leavesWithPaths order). */
export interface FlatLayout {
  paths: string[];
  shapes: number[][];
  sizes: number[];
  offsets: number[];
  size: number;
}

/** The layout of tensors of the given shapes laid end to end. */
export function layoutOfShapes(shapes: number[][], paths: string[] = shapes.map((_, i) => String(i))): FlatLayout {
  const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
  const offsets: number[] = [];
  let size = 0;
  for (const n of sizes) {
    offsets.push(size);
    size += n;
  }
  return { paths, shapes: shapes.map((s) => s.slice()), sizes, offsets, size };
}

/** The layout of a tree's leaves (borrows the tree). */
export function layoutOfTree(t: Tree): FlatLayout {
  const leaves = leavesWithPaths(t);
  return layoutOfShapes(
    leaves.map(({ leaf }) => leaf.shape),
    leaves.map(({ path }) => path),
  );
}

/** Every leaf of a tree, concatenated in leavesWithPaths order, as float64 on the host (borrows the tree). */
export function flattenTree(t: Tree): Float64Array {
  const leaves = leavesWithPaths(t);
  const out = new Float64Array(leaves.reduce((n, l) => n + l.leaf.size, 0));
  let offset = 0;
  for (const { leaf } of leaves) {
    out.set(leaf.ref.dataSync() as ArrayLike<number>, offset);
    offset += leaf.size;
  }
  return out;
}

/**
 * Device arrays shaped like `template`'s leaves, filled from the
 * host vector `flat` in flattenTree's order (borrows the template).
 */
export function unflattenTree<T extends Tree>(template: T, flat: ArrayLike<number>, precision: Precision): T {
  let offset = 0;
  const out = mapWithPaths(template, (_path, leaf) => {
    const part =
      flat instanceof Float64Array
        ? flat.subarray(offset, offset + leaf.size)
        : Array.from({ length: leaf.size }, (_, i) => flat[offset + i]);
    offset += leaf.size;
    return toDevice(part, leaf.shape, precision);
  });
  if (offset !== flat.length)
    throw new Error(`a flat vector of ${flat.length} entries does not fit a tree of ${offset} parameters`);
  return out;
}

/** The pieces of a flat device vector θ, reshaped as the layout says (consumes θ; works under jit and grad). */
export function splitFlat(theta: np.Array, layout: FlatLayout): np.Array[] {
  const parts = layout.shapes.map((shape, i) =>
    theta.ref.slice([layout.offsets[i], layout.offsets[i] + layout.sizes[i]]).reshape(shape),
  );
  theta.dispose();
  return parts;
}

/**
 * A tree shaped like `template` whose leaves are slices of the flat device vector θ (consumes θ, borrows the template).
 */
export function unflattenArray<T extends Tree>(template: T, theta: np.Array): T {
  const parts = splitFlat(theta, layoutOfTree(template));
  let i = 0;
  return mapWithPaths(template, () => parts[i++]);
}
