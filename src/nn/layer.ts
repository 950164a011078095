import type { numpy as np } from "@jax-js/jax";
import type { Key, Precision, Tree } from "../engine/index.js";

/** What a layer's init returns: trainable params, non-trainable state (e.g. BN running stats), output shape. */
export interface Initialized {
  params: Tree;
  state: Tree;
  /** Shape of one example's output (no batch axis). */
  outputShape: number[];
}

export interface ApplyContext {
  /** Training mode: batch norm uses batch statistics and updates its running averages. */
  train: boolean;
}

/**
 * A layer is a pair of pure functions over parameter pytrees.
 * `apply` consumes params, state and x (jax-js convention) and returns [y, newState].
 * Inputs carry a leading batch axis; `inputShape` in `init` excludes it.
 */
export interface Layer {
  readonly kind: string;
  init(key: Key, inputShape: number[], precision: Precision): Initialized;
  apply(params: Tree, state: Tree, x: np.Array, ctx: ApplyContext): [np.Array, Tree];
}

/** Empty param/state tree for layers that have none. */
export const none = (): Tree => ({});

/** A parameter-free layer from a function of x. */
export function stateless(
  kind: string,
  fn: (x: np.Array) => np.Array,
  outShape: (s: number[]) => number[] = (s) => s,
): Layer {
  return {
    kind,
    init: (_key, inputShape) => ({ params: none(), state: none(), outputShape: outShape(inputShape) }),
    apply: (_p, state, x) => [fn(x), state],
  };
}
