import { numpy as np, tree as jaxTree } from "@jax-js/jax";
import { toDevice, type Tree } from "../engine/index.js";
import { applyUpdates, type GradientTransformation } from "../optim/transform.js";
import type { Objective } from "../problems/objective.js";
import type { IterationRecord } from "../solvers/options.js";
import type { OptimizeResult } from "../solvers/result.js";
import type { MethodOptions } from "./types.js";

const hostCopy = (x: Tree): Float64Array =>
  Float64Array.from((jaxTree.leaves(x)[0] as np.Array).dataSync() as ArrayLike<number>);
const norm = (g: Float64Array) => Math.sqrt(g.reduce((s, v) => s + v * v, 0));

/**
 * Runs a first-order optimizer for exactly `steps` steps on a problem with exact full-batch gradients,
 * as `descent optimize` does. θ stays on the device in the problem's precision; the update runs
 * eagerly (jax-js's jit rounds JS constants to float32, which would cost float64 runs their exactness).
 * One gradient per step, at the optimizer's evaluation point when it has one (Nesterov), plus one
 * value-and-gradient at the end for the reported f and ‖∇f‖. With Polyak averaging the reported point
 * and trajectory are the average θ̂.
 */
export function runFirstOrder(
  optimizer: GradientTransformation,
  objective: Objective,
  x0: Float64Array,
  opts: MethodOptions & { steps: number },
): OptimizeResult {
  const { precision } = objective;
  const shape = [objective.dim];
  let params: Tree = toDevice(x0, shape, precision);
  let state = optimizer.init(jaxTree.ref(params));
  const reported = () => (optimizer.averagedParams ? optimizer.averagedParams(state) : jaxTree.ref(params));
  const trajectory: Float64Array[] = [];
  const history: IterationRecord[] = [];
  let iterations = 0;
  let diverged = false;
  try {
    for (let k = 1; k <= opts.steps; k++) {
      const point = optimizer.evaluationPoint
        ? optimizer.evaluationPoint(jaxTree.ref(params), jaxTree.ref(state))
        : jaxTree.ref(params);
      const [f, g] = objective.valueAndGrad(hostCopy(point));
      const [updates, next] = optimizer.update(toDevice(g, shape, precision), state, jaxTree.ref(params));
      state = next;
      params = applyUpdates(params, updates);
      iterations = k;
      // Reading θ each step runs the pending work of the state it depends on, so no lazy graph grows across steps
      // (bench/lazyGraph.ts: flat CPU time per step; realizing the state as well only added 20%).
      const theta = hostCopy(reported());
      if (opts.recordTrajectory) trajectory.push(theta);
      const { fevals, gevals, hevals, hvps } = objective.counts;
      history.push({ iteration: k, f, gradNorm: norm(g), fevals, gevals, hevals, hvps });
      opts.onIteration?.(history[history.length - 1], Float64Array.from(theta));
      if (!theta.every(Number.isFinite)) {
        diverged = true;
        break;
      }
    }
    const x = hostCopy(reported());
    const [f, g] = diverged ? [NaN, new Float64Array(objective.dim).fill(NaN)] : objective.valueAndGrad(x);
    const gradNorm = norm(g);
    const tol = opts.tol ?? 1e-5;
    const nonFinite = diverged || !Number.isFinite(f) || !Number.isFinite(gradNorm);
    const converged = !nonFinite && gradNorm <= tol;
    const message = diverged
      ? `diverged: θ is not finite after step ${iterations} (lower the rate)`
      : `ran ${iterations} steps; ‖∇f‖₂ = ${gradNorm.toExponential(3)} ${converged ? "<=" : ">"} tol ${tol}`;
    const { fevals, gevals, hevals } = objective.counts;
    return {
      x,
      f,
      gradNorm,
      iterations,
      fevals,
      gevals,
      hevals,
      status: nonFinite ? "nonFinite" : converged ? "converged" : "maxIter",
      converged,
      message,
      history,
      trajectory: opts.recordTrajectory ? trajectory : undefined,
    };
  } finally {
    jaxTree.dispose(params);
    jaxTree.dispose(state);
  }
}
