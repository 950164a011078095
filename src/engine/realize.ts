import { numpy as np, tree as jaxTree, blockUntilReady } from "@jax-js/jax";
import type { Tree } from "./tree.js";

/**
 * Runs the pending work of every leaf now, synchronously, and returns the same tree (borrowed, not consumed).
 * jax-js arrays are lazy: a host loop that never reads its state (θ, optimizer moments, step counts) grows
 * one graph across steps, and each step gets slower. Call this on the state once per step.
 */
export function realize<T extends Tree>(t: T): T {
  for (const leaf of jaxTree.leaves(t) as np.Array[]) leaf.ref.dataSync();
  return t;
}

/** The asynchronous form of `realize` (jax-js's `blockUntilReady`): lets the browser paint while the work runs. */
export function realizeAsync<T extends Tree>(t: T): Promise<T> {
  return blockUntilReady(t);
}
