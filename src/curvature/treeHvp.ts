/**
 * Hessian-vector products for a loss over a parameter pytree (a network's weights), never forming
 * H (Pearlmutter 1994). Two orders of differentiation, equal in exact arithmetic:
 * - forward-over-reverse, Hv = d/dε ∇f(θ + εv)|₀ = jvp(grad f): JAX's recommended form;
 * - reverse-over-forward, Hv = ∇_θ (d/dε f(θ + εv)|₀) = grad(jvp f).
 * jax-js 0.1.25 has no symbolic zero tangents, so jvp(grad f) carries the data's zero tangents
 * through every backward matmul: compiled for the 784-256-256-10 MLP (batch 128, float32) it costs
 * 5.3 gradients, grad(jvp f) 2.6 (bench/curvature.ts, interleaved medians). And jit(jvp(grad f))
 * is wrong in float64 (see Objective). Hence the policy in `defaultHvpMode` and `compileTreeHvp`.
 */
import { grad, jit, jvp, numpy as np, valueAndGrad } from "@jax-js/jax";
import { disposeTree, leavesWithPaths, mapWithPaths, refTree, type Precision, type Tree } from "../engine/index.js";

export type HvpMode = "forward-over-reverse" | "reverse-over-forward";

/** A scalar loss of parameters and data (batches, model state); consumes every argument. */
export type TreeLoss = (params: Tree, ...data: Tree[]) => np.Array;

/** Hv as a pure function: consumes params, v and data; returns a tree shaped like params. */
export function treeHvp(loss: TreeLoss, mode: HvpMode = "forward-over-reverse") {
  return (params: Tree, v: Tree, ...data: Tree[]): Tree => {
    const withData = (p: Tree) => loss(p, ...data.map((d) => refTree(d)));
    let hv: Tree;
    if (mode === "forward-over-reverse") {
      // The data enter as primals with explicit zero tangents: jax-js would lift closed-over data
      // with zero tangents anyway, but as materialized constants, which compile to a 2x slower program.
      const zeros = data.map((d) => mapWithPaths(d, (_path, leaf) => np.zerosLike(leaf.ref)));
      const gradient = (p: Tree, ...d: Tree[]) => grad(loss)(p, ...d) as Tree;
      const [g, tangent] = jvp(gradient, [params, ...data.map((d) => refTree(d))], [v, ...zeros]) as unknown as [
        Tree,
        Tree,
      ];
      disposeTree(g);
      hv = tangent;
    } else {
      hv = grad((p: Tree) => {
        const [value, directional] = jvp(withData, [p], [refTree(v)]) as unknown as [np.Array, np.Array];
        value.dispose();
        return directional;
      })(params) as Tree;
      disposeTree(v);
    }
    for (const d of data) disposeTree(d);
    return hv;
  };
}

/**
 * Compiled (jit) for float32, eager for float64: jit rounds JS number constants to float32 inside
 * float64 programs (mean's 1/n: ~1e-8 relative) and mis-compiles jvp(grad f) there, while eager
 * float64 on the cpu device is exact.
 */
export const compiles = (precision: Precision) => precision.dtype !== np.float64;

/** Reverse-over-forward where compiled (faster in jax-js), forward-over-reverse where eager (the reference form). */
export const defaultHvpMode = (precision: Precision): HvpMode =>
  compiles(precision) ? "reverse-over-forward" : "forward-over-reverse";

export interface OwnedFn<A extends unknown[], R> {
  (...args: A): R;
  dispose(): void;
}

/** `jit(fn)` where `compiles(precision)`, else `fn` itself (with a no-op dispose). */
export function compileFor<A extends unknown[], R>(
  precision: Precision,
  fn: (...args: A) => R,
  useJit = compiles(precision),
): OwnedFn<A, R> {
  if (!useJit) return Object.assign((...args: A) => fn(...args), { dispose() {} });
  return jit(fn as never) as unknown as OwnedFn<A, R>;
}

export interface TreeHvpOptions {
  mode?: HvpMode;
  /** Override the compile policy (float64 jit is inexact, see above). */
  jit?: boolean;
}

/** Hv for `loss`: borrows params and data, consumes v. */
export function compileTreeHvp(loss: TreeLoss, precision: Precision, opts: TreeHvpOptions = {}) {
  const fn = compileFor(precision, treeHvp(loss, opts.mode ?? defaultHvpMode(precision)), opts.jit);
  return {
    run: (params: Tree, v: Tree, ...data: Tree[]): Tree => fn(refTree(params), v, ...data.map((d) => refTree(d))),
    dispose: () => fn.dispose(),
  };
}

/** f and ∇f for `loss`: borrows params and data. */
export function compileValueAndGrad(loss: TreeLoss, precision: Precision, useJit?: boolean) {
  const fn = compileFor(
    precision,
    (params: Tree, ...data: Tree[]) => valueAndGrad(loss)(params, ...data) as [np.Array, Tree],
    useJit,
  );
  return {
    run: (params: Tree, ...data: Tree[]): [np.Array, Tree] => fn(refTree(params), ...data.map((d) => refTree(d))),
    dispose: () => fn.dispose(),
  };
}

/** Σ over leaves of ⟨a, b⟩ as a device scalar; consumes both trees (same structure). */
export function treeVdot(a: Tree, b: Tree): np.Array {
  const right = new Map(leavesWithPaths(b).map(({ path, leaf }) => [path, leaf]));
  let total: np.Array | undefined;
  for (const { path, leaf } of leavesWithPaths(a)) {
    const term = leaf.mul(right.get(path)!).sum();
    total = total ? total.add(term) : term;
  }
  if (!total) throw new Error("treeVdot of an empty tree");
  return total;
}

/** a + s·b leaf by leaf (s a device scalar, consumed); consumes a and b. */
export function treeAddScaled(a: Tree, s: np.Array, b: Tree): Tree {
  const right = new Map(leavesWithPaths(b).map(({ path, leaf }) => [path, leaf]));
  const out = mapWithPaths(a, (path, leaf) => leaf.add(right.get(path)!.mul(s.ref)));
  s.dispose();
  return out;
}
