import { numpy as np, tree as jaxTree } from "@jax-js/jax";
import type { Tree } from "../engine/index.js";

/**
 * A gradient transformation (Optax's shape): pure functions over pytrees.
 * `init(params)` → state; `update(updates, state, params?)` → [new updates, new state].
 * Both consume their Array arguments (jax-js convention); pass `refTree(params)` to keep them.
 * The optimizer state is a pytree, so it checkpoints like parameters do.
 */
export interface GradientTransformation {
  init(params: Tree): Tree;
  update(updates: Tree, state: Tree, params?: Tree): [Tree, Tree];
}

/** Applies transformations in order, each to the previous one's output; state is an array of their states. */
export function chain(...transforms: GradientTransformation[]): GradientTransformation {
  return {
    init(params) {
      const states = transforms.map((t) => t.init(jaxTree.ref(params)));
      jaxTree.dispose(params);
      return states;
    },
    update(updates, state, params) {
      const states = state as Tree[];
      const next: Tree[] = [];
      let u = updates;
      transforms.forEach((t, i) => {
        const [nu, ns] = t.update(u, states[i], params === undefined ? undefined : jaxTree.ref(params));
        next.push(ns);
        u = nu;
      });
      if (params !== undefined) jaxTree.dispose(params);
      return [u, next];
    },
  };
}

/** θ ← θ + Δθ, leaf by leaf. Consumes both. */
export function applyUpdates(params: Tree, updates: Tree): Tree {
  return jaxTree.map((p: np.Array, u: np.Array) => p.add(u), params as never, updates as never) as Tree;
}

/** A zero-filled tree shaped like `params`. Consumes params. */
export function zerosLikeTree(params: Tree): Tree {
  return jaxTree.map((p: np.Array) => np.zerosLike(p), params as never) as Tree;
}
