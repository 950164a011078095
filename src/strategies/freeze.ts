/**
 * Frozen parameters: an optimizer wrapper that leaves the named leaves exactly where they are.
 * The gradient reaching the inner optimizer is zeroed for them (so its moments stay quiet), and
 * so is the update it returns (so θ + 0 keeps them bit-identical whatever the optimizer does,
 * e.g. Adam's m̂/√v̂ or weight decay).
 */
import { numpy as np } from "@jax-js/jax";
import { mapWithPaths, type Tree } from "../engine/index.js";
import type { GradientTransformation } from "../optim/index.js";

/**
 * The leaves whose dotted path starts with one of `prefixes` ("hidden.0" freezes hidden.0.weight and hidden.0.bias).
 */
export const pathsUnder = (prefixes: string[]) => (path: string) =>
  prefixes.some((p) => path === p || path.startsWith(`${p}.`));

const zeroFrozen = (t: Tree, frozen: (path: string) => boolean): Tree =>
  mapWithPaths(t, (path, leaf) => (frozen(path) ? np.zerosLike(leaf) : leaf));

/** `inner` with the leaves for which `frozen(path)` holds kept fixed. */
export function freeze(inner: GradientTransformation, frozen: (path: string) => boolean): GradientTransformation {
  const out: GradientTransformation = {
    init: (params) => inner.init(params),
    update(grads, state, params) {
      const [updates, next] = inner.update(zeroFrozen(grads, frozen), state, params);
      return [zeroFrozen(updates, frozen), next];
    },
  };
  if (inner.evaluationPoint) out.evaluationPoint = (params, state) => inner.evaluationPoint!(params, state);
  if (inner.averagedParams) out.averagedParams = (state) => inner.averagedParams!(state);
  if (inner.skippedUpdates) out.skippedUpdates = (state) => inner.skippedUpdates!(state);
  return out;
}
