import { numpy as np, tree as jaxTree } from "@jax-js/jax";
import { toDevice, type Precision } from "./precision.js";

/** A pytree of arrays: nested plain objects and JS arrays with jax-js Arrays at the leaves. */
export type Tree = np.Array | Tree[] | { [key: string]: Tree };

/** A leaf copied to the host. */
export interface HostTensor {
  shape: number[];
  data: Float32Array | Float64Array;
}

// Containers are plain JS arrays and plain objects; anything else (an Array, or a tracer inside jit) is a leaf.
function isArrayLeaf(x: unknown): x is np.Array {
  if (Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return !(proto === Object.prototype || proto === null);
}

/** Leaves with their dotted paths ("layers.0.weight"), in a stable order: arrays by index, objects by key order. */
export function leavesWithPaths<T extends Tree>(t: T, prefix = ""): { path: string; leaf: np.Array }[] {
  if (isArrayLeaf(t)) return [{ path: prefix, leaf: t }];
  const join = (k: string | number) => (prefix ? `${prefix}.${k}` : String(k));
  if (Array.isArray(t)) return t.flatMap((child, i) => leavesWithPaths(child, join(i)));
  return Object.keys(t).flatMap((k) => leavesWithPaths((t as Record<string, Tree>)[k], join(k)));
}

/** Rebuilds a tree shaped like `template`, taking each leaf from `pick(path, templateLeaf)`. */
export function mapWithPaths<T extends Tree>(
  template: T,
  pick: (path: string, leaf: np.Array) => np.Array,
  prefix = "",
): T {
  if (isArrayLeaf(template)) return pick(prefix, template) as T;
  const join = (k: string | number) => (prefix ? `${prefix}.${k}` : String(k));
  if (Array.isArray(template)) return template.map((c, i) => mapWithPaths(c, pick, join(i))) as T;
  const out: Record<string, Tree> = {};
  for (const k of Object.keys(template)) out[k] = mapWithPaths((template as Record<string, Tree>)[k], pick, join(k));
  return out as T;
}

/** +1 reference on every leaf (so the tree can be passed to a consuming function and kept). */
export function refTree<T extends Tree>(t: T): T {
  return jaxTree.ref(t);
}

/** -1 reference on every leaf. */
export function disposeTree(t: Tree | null | undefined): void {
  jaxTree.dispose(t);
}

/** Copies every leaf to the host without consuming the tree. */
export function treeToHost(t: Tree): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  for (const { path, leaf } of leavesWithPaths(t)) {
    out.set(path, { shape: leaf.shape.slice(), data: leaf.ref.dataSync() as Float32Array | Float64Array });
  }
  return out;
}

/** Builds device arrays shaped like `template` from host tensors (missing or misshapen leaves are errors). */
export function treeFromHost<T extends Tree>(template: T, host: Map<string, HostTensor>, precision: Precision): T {
  return mapWithPaths(template, (path, leaf) => {
    const h = host.get(path);
    if (!h) throw new Error(`missing tensor "${path}"`);
    if (h.shape.join(",") !== leaf.shape.join(",")) {
      throw new Error(`tensor "${path}" has shape [${h.shape}] but [${leaf.shape}] was expected`);
    }
    return toDevice(h.data, h.shape, precision);
  });
}

/** Total number of scalars in a tree. */
export function countParameters(t: Tree): number {
  return leavesWithPaths(t).reduce((n, { leaf }) => n + leaf.size, 0);
}
