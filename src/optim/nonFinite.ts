import { numpy as np, tree as jaxTree } from "@jax-js/jax";
import type { Tree } from "../engine/index.js";
import {
  leavesOf,
  mapTree,
  scalarLike,
  wrapTransformation,
  type GradientTransformation,
  type WrapperState,
} from "./transform.js";

export type GuardState = WrapperState<{ skipped: np.Array }>;

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
export function skipNonFiniteUpdates(inner: GradientTransformation): GradientTransformation<GuardState> {
  return wrapTransformation<GuardState>(inner, {
    init(params) {
      const state = { inner: inner.init(jaxTree.ref(params)), skipped: scalarLike(params) };
      jaxTree.dispose(params);
      return state;
    },
    update(updates, state, params) {
      const st = state;
      const ok = isFiniteTree(updates);
      const [u, proposed] = inner.update(updates, jaxTree.ref(st.inner), params);
      const out = mapTree((x) => np.where(ok.ref, x.ref, np.zerosLike(x)), u);
      const innerState = mapTree((n, o) => np.where(ok.ref, n, o), proposed, st.inner);
      const dtype = st.skipped.dtype;
      const skipped = st.skipped.add(ok.astype(dtype).neg().add(1));
      return [out, { inner: innerState, skipped }];
    },
    skippedUpdates: (state) => state.skipped.ref,
  });
}
