import { numpy as np, tree as jaxTree } from "@jax-js/jax";
import type { Tree } from "../engine/index.js";
import { valueAt, type ScalarOrSchedule } from "./schedule.js";
import { zerosLikeTree, type GradientTransformation } from "./transform.js";

const mapTree = (fn: (...xs: np.Array[]) => np.Array, ...trees: Tree[]): Tree =>
  jaxTree.map(fn as never, trees[0] as never, ...(trees.slice(1) as never[])) as Tree;

/** The step counter every stateful transform keeps: k = number of updates so far. */
const counter = (dtype: np.DType) => np.zeros([], { dtype });

/** Δθ = −ε_k · u, with ε a number or a schedule of the step count (k = 1 for the first update). */
export function scaleByLearningRate(lr: ScalarOrSchedule): GradientTransformation {
  return {
    init(params) {
      const dtype = (jaxTree.leaves(params)[0] as np.Array | undefined)?.dtype ?? np.float32;
      jaxTree.dispose(params);
      return { count: counter(dtype) };
    },
    update(updates, state, params) {
      jaxTree.dispose(params);
      const k = (state as { count: np.Array }).count.add(1);
      const eps = valueAt(lr, k.ref);
      const out = mapTree((u) => u.mul(typeof eps === "number" ? -eps : eps.ref.neg()), updates);
      if (typeof eps !== "number") eps.dispose();
      return [out, { count: k }];
    },
  };
}

/** Adam's moment estimates (Alg. 8.7): s ← ρ1 s + (1−ρ1) g, r ← ρ2 r + (1−ρ2) g⊙g, update ŝ/(√r̂ + δ). */
export function scaleByAdam(rho1 = 0.9, rho2 = 0.999, delta = 1e-8): GradientTransformation {
  return {
    init(params) {
      const dtype = (jaxTree.leaves(params)[0] as np.Array | undefined)?.dtype ?? np.float32;
      const s = zerosLikeTree(jaxTree.ref(params));
      const r = zerosLikeTree(params);
      return { count: counter(dtype), s, r };
    },
    update(grads, state, params) {
      jaxTree.dispose(params);
      const st = state as { count: np.Array; s: Tree; r: Tree };
      const t = st.count.add(1);
      const s = mapTree((m, g) => m.mul(rho1).add(g.mul(1 - rho1)), st.s, jaxTree.ref(grads));
      const r = mapTree((v, g) => v.mul(rho2).add(np.square(g).mul(1 - rho2)), st.r, grads);
      const c1 = np.power(rho1, t.ref).neg().add(1);
      const c2 = np.power(rho2, t.ref).neg().add(1);
      const out = mapTree((m, v) => m.div(c1.ref).div(np.sqrt(v.div(c2.ref)).add(delta)), jaxTree.ref(s), jaxTree.ref(r));
      c1.dispose();
      c2.dispose();
      return [out, { count: t, s, r }];
    },
  };
}

/** Classical momentum's velocity (Alg. 8.2 without the rate): v ← αv + u. */
export function traceMomentum(alpha: number): GradientTransformation {
  return {
    init: (params) => ({ velocity: zerosLikeTree(params) }),
    update(updates, state, params) {
      jaxTree.dispose(params);
      const v = mapTree((vel, u) => vel.mul(alpha).add(u), (state as { velocity: Tree }).velocity, updates);
      return [jaxTree.ref(v), { velocity: v }];
    },
  };
}
