import { numpy as np, tree as jaxTree } from "@jax-js/jax";
import type { Tree } from "../engine/index.js";
import { oneMinus, release, resolve, use } from "./hyper.js";
import type { ScalarOrSchedule } from "./schedule.js";
import {
  mapTree,
  requireParams,
  scalarLike,
  wrapTransformation,
  type GradientTransformation,
  type WrapperState,
} from "./transform.js";

/** Uniform: θ̂(t) = 1/t Σ_{i=1..t} θ(i). Exponential (eq. 8.39): θ̂(t) = αθ̂(t−1) + (1 − α)θ(t), θ̂(0) = θ(0). */
export type Averaging = { kind: "uniform" } | { kind: "exponential"; alpha: ScalarOrSchedule };

export type AveragingState = WrapperState<{ average: Tree; count: np.Array }>;

/**
 * Polyak averaging (8.7.3): runs `inner` unchanged and keeps the average θ̂ of the iterates it
 * produces beside the parameters, in the optimizer state (so checkpoints carry it).
 * `averagedParams(state)` reads it; the Trainer evaluates it. Needs θ in `update`.
 */
export function polyakAveraging(
  inner: GradientTransformation,
  averaging: Averaging,
): GradientTransformation<AveragingState> {
  return wrapTransformation<AveragingState>(inner, {
    init(params) {
      const innerState = inner.init(jaxTree.ref(params));
      const count = scalarLike(params);
      return { inner: innerState, average: params, count };
    },
    update(updates, state, params) {
      const theta = requireParams(params, "polyakAveraging");
      const st = state;
      const [u, innerState] = inner.update(updates, st.inner, jaxTree.ref(theta));
      const t = st.count.add(1);
      const next = mapTree((p, d) => p.add(d), theta, jaxTree.ref(u));
      let average: Tree;
      if (averaging.kind === "uniform") {
        // θ̂(t) = θ̂(t−1) + (θ(t) − θ̂(t−1))/t, the running form of the mean of θ(1..t).
        average = mapTree((a, p) => a.ref.add(p.sub(a).div(t.ref)), st.average, next);
      } else {
        const alpha = resolve(averaging.alpha, t);
        const share = oneMinus(typeof alpha === "number" ? alpha : alpha.ref);
        average = mapTree((a, p) => a.mul(use(alpha)).add(p.mul(use(share))), st.average, next);
        release(alpha, share);
      }
      return [u, { inner: innerState, average, count: t }];
    },
    averagedParams: (state) => jaxTree.ref(state.average),
  });
}
