import { numpy as np, tree as jaxTree } from "@jax-js/jax";
import type { Tree } from "../engine/index.js";

/**
 * A gradient transformation (Optax's shape): pure functions over pytrees.
 *
 * - `init(params)` → state; `update(updates, state, params?)` → [new updates, new state].
 *   The updates a whole optimizer returns are the Δθ that `applyUpdates` adds to θ.
 * - Ownership (jax-js's convention): every method consumes its Array arguments; pass
 *   `refTree(params)` / `refTree(state)` to keep using them.
 * - The state is a pytree of arrays only, so it checkpoints like the parameters do; `S` is its type
 *   (`GradientTransformation` alone means any pytree, which every typed transformation also is).
 * - Hyperparameters may be numbers or schedules of the update count k (k = 1 for the first update).
 *
 * Optional parts, which a caller checks for:
 * - `evaluationPoint(params, state)`: where the caller must evaluate the gradient that the next
 *   `update` receives, when that is not θ itself (Nesterov's interim point θ̃ = θ + αv, Alg. 8.3
 *   and 8.6). The optimizer never computes a gradient: the caller (Trainer, `descent optimize`)
 *   evaluates ∇f once per step, at this point instead of at θ. Absent means "at θ".
 * - `averagedParams(state)`: the averaged parameters θ̂ kept beside θ (Polyak averaging, 8.7.3).
 *   Borrows the state; returns a new tree.
 * - `skippedUpdates(state)`: how many updates were skipped for a non-finite gradient (a scalar
 *   array). Borrows the state. Its presence means the optimizer tolerates non-finite gradients.
 */
export interface GradientTransformation<S extends Tree = Tree> {
  init(params: Tree): S;
  update(updates: Tree, state: S, params?: Tree): [Tree, S];
  evaluationPoint?(params: Tree, state: S): Tree;
  averagedParams?(state: S): Tree;
  skippedUpdates?(state: S): np.Array;
}

/** The optional queries a caller checks for: wrappers must forward them (see `wrapTransformation`). */
export const QUERIES = ["evaluationPoint", "averagedParams", "skippedUpdates"] as const;

/** Leaf-wise map over trees of the same structure (consumes the trees as `fn` consumes its leaves). */
export const mapTree = (fn: (...xs: np.Array[]) => np.Array, ...trees: Tree[]): Tree =>
  jaxTree.map(fn as never, trees[0] as never, ...(trees.slice(1) as never[])) as Tree;

export const leavesOf = (t: Tree): np.Array[] => jaxTree.leaves(t) as np.Array[];

/** Throws when a transformation that needs θ was called without it. */
export function requireParams(params: Tree | undefined, who: string): Tree {
  if (params === undefined) throw new Error(`${who} needs the parameters: call update(updates, state, params)`);
  return params;
}

/** The state of a wrapper: the wrapped transformation's state at `inner`, beside the wrapper's own. */
export type WrapperState<Own extends Record<string, Tree> = Record<never, never>> = { inner: Tree } & Own;

/** How a wrapper hands θ to its inner transformation when the inner one sees only part of it (masks). */
export interface ParamsView {
  /** The part of θ the inner transformation sees (consumes params). */
  select(params: Tree): Tree;
  /** θ with the inner part replaced (consumes both). */
  merge(params: Tree, innerPart: Tree): Tree;
}

/**
 * Builds a wrapper around `inner` whose state keeps the inner state at `state.inner` (averaging, the
 * non-finite guard, masks). The optional queries of `inner` are forwarded by construction, looking
 * through to the inner state; the wrapper's own `averagedParams` / `skippedUpdates` take precedence.
 * So no wrapper can drop Nesterov's interim point, Polyak's average or the skip count by forgetting it.
 */
export function wrapTransformation<S extends WrapperState<Record<string, Tree>>>(
  inner: GradientTransformation,
  own: Pick<GradientTransformation<S>, "init" | "update"> &
    Partial<Pick<GradientTransformation<S>, "averagedParams" | "skippedUpdates">>,
  view?: ParamsView,
): GradientTransformation<S> {
  const out: GradientTransformation<S> = { init: own.init, update: own.update };
  if (inner.evaluationPoint) {
    out.evaluationPoint = (params, state) => {
      const innerState = jaxTree.ref(state.inner);
      jaxTree.dispose(state);
      if (!view) return inner.evaluationPoint!(params, innerState);
      const point = inner.evaluationPoint!(view.select(jaxTree.ref(params)), innerState);
      return view.merge(params, point);
    };
  }
  if (own.averagedParams) out.averagedParams = own.averagedParams;
  else if (inner.averagedParams) {
    if (view)
      throw new Error(
        "an averaging optimizer cannot be wrapped over part of the parameters: average the whole optimizer instead",
      );
    out.averagedParams = (state) => inner.averagedParams!(state.inner);
  }
  if (own.skippedUpdates) out.skippedUpdates = own.skippedUpdates;
  else if (inner.skippedUpdates) out.skippedUpdates = (state) => inner.skippedUpdates!(state.inner);
  return out;
}

/**
 * Applies transformations in order, each to the previous one's output; the state is the array of
 * their states. Evaluation points compose (each member moves the point in turn); the averaged
 * parameters and the skip count come from the member that keeps them.
 */
export function chain(...transforms: GradientTransformation[]): GradientTransformation<Tree[]> {
  const out: GradientTransformation<Tree[]> = {
    init(params) {
      const states = transforms.map((t) => t.init(jaxTree.ref(params)));
      jaxTree.dispose(params);
      return states;
    },
    update(updates, state, params) {
      const states = state;
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
  if (transforms.some((t) => t.evaluationPoint)) {
    out.evaluationPoint = (params, state) => {
      const states = state;
      let point = params;
      transforms.forEach((t, i) => {
        if (t.evaluationPoint) point = t.evaluationPoint(point, jaxTree.ref(states[i]));
      });
      jaxTree.dispose(state);
      return point;
    };
  }
  const averaging = transforms.findIndex((t) => t.averagedParams);
  if (averaging >= 0) out.averagedParams = (state) => transforms[averaging].averagedParams!(state[averaging]);
  const guard = transforms.findIndex((t) => t.skippedUpdates);
  if (guard >= 0) out.skippedUpdates = (state) => transforms[guard].skippedUpdates!(state[guard]);
  return out;
}

/** θ ← θ + Δθ, leaf by leaf. Consumes both. */
export function applyUpdates(params: Tree, updates: Tree): Tree {
  return mapTree((p, u) => p.add(u), params, updates);
}

/** A zero-filled tree shaped like `params`. Consumes params. */
export function zerosLikeTree(params: Tree): Tree {
  return mapTree((p) => np.zerosLike(p), params);
}

/** A tree shaped like `params` filled with `value`. Consumes params. */
export function fullLikeTree(params: Tree, value: number): Tree {
  return mapTree((p) => np.zerosLike(p).add(value), params);
}

/** A scalar zero with the dtype and device of the first leaf of `params` (borrows params). */
export function scalarLike(params: Tree, value = 0): np.Array {
  const leaf = leavesOf(params)[0];
  if (!leaf) throw new Error("an optimizer needs at least one parameter array");
  return np.full([], value, { dtype: leaf.dtype, device: leaf.device });
}

/** The state of a transformation that keeps only its update count: k = count + 1 at each update. */
export type CountState = { count: np.Array };

/**
 * A transformation whose only state is the update count (for scheduled hyperparameters).
 * `apply(updates, k, params)` borrows k and consumes updates and params.
 */
export function countedMap(
  apply: (updates: Tree, k: np.Array, params: Tree | undefined) => Tree,
): GradientTransformation<CountState> {
  return {
    init(params) {
      const count = scalarLike(params);
      jaxTree.dispose(params);
      return { count };
    },
    update(updates, state, params) {
      const k = state.count.add(1);
      return [apply(updates, k, params), { count: k }];
    },
  };
}
