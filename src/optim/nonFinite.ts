import { numpy as np, tree as jaxTree } from "@jax-js/jax";
import type { Tree } from "../engine/index.js";
import { innerQueries, leavesOf, mapTree, scalarLike, type GradientTransformation } from "./transform.js";

type GuardState = { inner: Tree; skipped: np.Array };

/** Whether every entry of every leaf is finite, as a boolean scalar (borrows the tree). */
export function isFiniteTree(t: Tree): np.Array {
  return leavesOf(t)
    .map((leaf) => np.isfinite(leaf.ref).all())
    .reduce((a, b) => np.logicalAnd(a, b));
}

/**
 * Skips an update whose gradient is not finite (NaN or ±Inf): the update is zero and the inner state
 * is left as it was (its step count too); `skippedUpdates(state)` counts the skips. Branch-free
 * (select, not if), so it runs inside the compiled step.
 */
export function skipNonFiniteUpdates(inner: GradientTransformation): GradientTransformation {
  return {
    ...innerQueries(inner),
    init: (params) => ({ inner: inner.init(jaxTree.ref(params)), skipped: scalarLike(params) }),
    update(updates, state, params) {
      const st = state as GuardState;
      const ok = isFiniteTree(updates);
      const [u, proposed] = inner.update(updates, jaxTree.ref(st.inner), params);
      const out = mapTree((x) => np.where(ok.ref, x.ref, np.zerosLike(x)), u);
      const innerState = mapTree((n, o) => np.where(ok.ref, n, o), proposed, st.inner);
      const dtype = st.skipped.dtype;
      const skipped = st.skipped.add(ok.astype(dtype).neg().add(1));
      return [out, { inner: innerState, skipped }];
    },
    skippedUpdates: (state) => (state as GuardState).skipped.ref,
  };
}
