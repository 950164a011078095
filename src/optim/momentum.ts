import { numpy as np, tree as jaxTree } from "@jax-js/jax";
import type { Tree } from "../engine/index.js";
import { isConstant, release, resolve, use } from "./hyper.js";
import type { ScalarOrSchedule } from "./schedule.js";
import { applyUpdates, mapTree, scalarLike, zerosLikeTree, type GradientTransformation } from "./transform.js";

export type VelocityState = { count: np.Array; velocity: Tree };
export type TorchMomentumState = { count: np.Array; buffer: Tree };

function velocityInit(params: Tree): VelocityState {
  const count = scalarLike(params);
  return { count, velocity: zerosLikeTree(params) };
}

/**
 * Classical momentum's velocity: v ← αv + u, and the update is v.
 * Placed after `scaleByLearningRate` it is Alg. 8.2 exactly (v ← αv − εg, θ ← θ + v), schedules included;
 * placed before it, it is the PyTorch form v ← αv + g, θ ← θ − εv.
 */
export function traceMomentum(alpha: ScalarOrSchedule): GradientTransformation<VelocityState> {
  return {
    init: velocityInit,
    update(updates, state, params) {
      jaxTree.dispose(params);
      const st = state;
      const k = st.count.add(1);
      const a = resolve(alpha, k);
      const velocity = mapTree((v, u) => v.mul(use(a)).add(u), st.velocity, updates);
      release(a);
      return [jaxTree.ref(velocity), { count: k, velocity }];
    },
  };
}

/**
 * Nesterov momentum as the book states it (Alg. 8.3, and 8.6 after an RMS scaling): the same velocity
 * v ← αv + u as `traceMomentum`, but the gradient must be taken at the interim point θ̃ = θ + αv,
 * which `evaluationPoint` tells the caller (α of the coming update k + 1).
 */
export function nesterovMomentum(alpha: ScalarOrSchedule): GradientTransformation<VelocityState> {
  return {
    ...traceMomentum(alpha),
    evaluationPoint(params, state) {
      const st = state; // consumed: count by add, velocity by the map
      const k = st.count.add(1);
      const a = resolve(alpha, k);
      const shift = mapTree((v) => v.mul(use(a)), st.velocity);
      release(a, k);
      return applyUpdates(params, shift);
    },
  };
}

/**
 * PyTorch SGD's momentum buffer: b ← u on the first update, then b ← μb + (1 − dampening)u;
 * the update is b, or u + μb with `nesterov` (Sutskever's reformulation: no interim point).
 */
export function torchMomentum(
  momentum: ScalarOrSchedule,
  dampening: ScalarOrSchedule = 0,
  nesterov = false,
): GradientTransformation<TorchMomentumState> {
  return {
    init: (params) => {
      const { count, velocity } = velocityInit(params);
      return { count, buffer: velocity };
    },
    update(updates, state, params) {
      jaxTree.dispose(params);
      const st = state;
      const k = st.count.add(1);
      const mu = resolve(momentum, k);
      // The share of u is 1 on the first update (the buffer starts as a copy of u), 1 − dampening later.
      const share = isConstant(dampening, 0) ? 1 : np.minimum(k.ref.sub(1), 1).mul(resolve(dampening, k)).neg().add(1);
      const buffer = mapTree((b, u) => b.mul(use(mu)).add(u.mul(use(share))), st.buffer, jaxTree.ref(updates));
      const out = nesterov
        ? mapTree((u, b) => u.add(b.mul(use(mu))), updates, jaxTree.ref(buffer))
        : (jaxTree.dispose(updates), jaxTree.ref(buffer));
      release(mu, share);
      return [out, { count: k, buffer }];
    },
  };
}
