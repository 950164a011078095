import { tree as jaxTree } from "@jax-js/jax";
import { leavesWithPaths, mapWithPaths, type Tree } from "../engine/index.js";
import { wrapTransformation, type GradientTransformation, type ParamsView } from "./transform.js";

/** A pytree of booleans shaped like the parameters (a boolean at an inner node covers its whole subtree). */
export type MaskTree = boolean | MaskTree[] | { [key: string]: MaskTree };

/**
 * Which parameters a transformation applies to: a predicate on the dotted path ("layers.0.bias") or a tree of booleans.
 */
export type ParamMask = ((path: string) => boolean) | MaskTree;

function maskValue(mask: MaskTree, path: string): boolean {
  let node: MaskTree = mask;
  for (const key of path === "" ? [] : path.split(".")) {
    if (typeof node === "boolean") return node;
    const child: MaskTree | undefined = Array.isArray(node) ? node[Number(key)] : node[key];
    if (child === undefined) throw new Error(`the mask has no entry for parameter "${path}"`);
    node = child;
  }
  if (typeof node !== "boolean") throw new Error(`the mask entry for parameter "${path}" is not a boolean`);
  return node;
}

/** Whether each leaf's path is selected by the mask. */
export const selects = (mask: ParamMask, path: string): boolean =>
  typeof mask === "function" ? mask(path) : maskValue(mask, path);

/**
 * The masked leaves as a list (the inner transformation's view), and the way back. The selection is
 * made from the paths of whichever tree comes in (updates and θ have the same structure).
 */
function maskView(mask: ParamMask): ParamsView {
  return {
    select(t) {
      const picked = leavesWithPaths(t)
        .filter(({ path }) => selects(mask, path))
        .map(({ leaf }) => leaf.ref);
      jaxTree.dispose(t);
      if (picked.length === 0) throw new Error("masked: the mask selects no parameter");
      return picked;
    },
    merge(t, part) {
      const parts = part as Tree[];
      let i = 0;
      return mapWithPaths(t, (path, leaf) => {
        if (!selects(mask, path)) return leaf;
        leaf.dispose();
        return parts[i++] as never;
      });
    },
  };
}

export type MaskedState = { inner: Tree };

/**
 * Applies `inner` to the parameters the mask selects and passes the other updates through unchanged
 * (Optax's `masked`; PyTorch's parameter groups). E.g. weight decay on weights only:
 * `chain(masked(addDecayedWeights(λ), weightDecayMask), adam)`, or a smaller rate for one layer:
 * `chain(adam, masked(scale(0.1), (p) => p.startsWith("0.")))`. Nesterov's interim point and the
 * skip count of an inner guard come through (for the masked leaves); an averaging inner is refused.
 */
export function masked(inner: GradientTransformation, mask: ParamMask): GradientTransformation<MaskedState> {
  const view = maskView(mask);
  return wrapTransformation<MaskedState>(
    inner,
    {
      init: (params) => ({ inner: inner.init(view.select(params)) }),
      update(updates, state, params) {
        const [innerUpdates, innerState] = inner.update(
          view.select(jaxTree.ref(updates)),
          state.inner,
          params === undefined ? undefined : view.select(params),
        );
        return [view.merge(updates, innerUpdates), { inner: innerState }];
      },
    },
    view,
  );
}

/** `descent train`'s default weight-decay mask: weights only; biases and batch-norm γ/β are not decayed. */
export const weightDecayMask = (path: string): boolean => !/(^|\.)(bias|gamma|beta)$/.test(path);
