import { numpy as np, jit, tree as jaxTree } from "@jax-js/jax";
import { toDevice, type Tree } from "../engine/index.js";
import { applyUpdates, type GradientTransformation } from "../optim/transform.js";
import type { Objective } from "../problems/objective.js";
import type { IterationRecord } from "../solvers/options.js";
import type { OptimizeResult } from "../solvers/result.js";
import { firstOrderResult, norm } from "./firstOrderRunner.js";
import type { MethodOptions } from "./types.js";

/**
 * Steps per compiled call. One is fastest today: a longer unrolled chunk costs more to trace and compile than
 * the calls it saves (4 optimizers × 500 steps on Rosenbrock in Node, CPU time: float64 0.10–0.16 s against
 * 0.18 s at 5 steps per chunk, float32 0.18–0.25 s against 0.25 s; the eager per-step runner takes 0.70–0.81 s
 * and 0.87–1.0 s).
 */
export const DEFAULT_CHUNK_STEPS = 1;

/**
 * What one compiled chunk returns: the carried θ and state, and one flat vector to read back (one transfer):
 * per step, the gradient's point, f and ∇f there, and the reported θ.
 */
type Chunk = [params: np.Array, state: Tree, readBack: np.Array];

/** `steps` optimizer steps unrolled in one `jit` (jax-js has no fori_loop), stacking what each step saw. */
function compileChunk(optimizer: GradientTransformation, objective: Objective, steps: number) {
  return jit((start: np.Array, initial: Tree): Chunk => {
    let params = start;
    let state = initial;
    const points: np.Array[] = [];
    const values: np.Array[] = [];
    const grads: np.Array[] = [];
    const thetas: np.Array[] = [];
    for (let i = 0; i < steps; i++) {
      const point = (
        optimizer.evaluationPoint ? optimizer.evaluationPoint(params.ref, jaxTree.ref(state)) : params.ref
      ) as np.Array;
      const [f, g] = objective.valueAndGradient(point.ref);
      points.push(point);
      values.push(f);
      grads.push(g.ref);
      const [updates, next] = optimizer.update(g, state, params.ref);
      state = next;
      params = applyUpdates(params, updates) as np.Array;
      thetas.push((optimizer.averagedParams ? optimizer.averagedParams(state) : params.ref) as np.Array);
    }
    const flat = [...points, ...values.map((f) => f.reshape([1])), ...grads, ...thetas];
    return [params, state, np.concatenate(flat)];
  });
}

const host = (x: np.Array) => Float64Array.from(x.dataSync() as ArrayLike<number>);

/**
 * `runFirstOrder` with the host loop replaced by compiled chunks of `chunkSteps` steps: the same
 * arithmetic on the device, one call and one read-back per chunk instead of a dozen eager kernels and
 * three round trips per step. Equal to the per-step runner bit for bit (test/methods/compiledRunner.test.ts):
 * the same points, f, ∇f, counts, history and trajectory. The last chunk may run past `steps`; its extra
 * steps are discarded unread. Counting goes through `Objective.record`, so the cache rules are the same.
 */
export function runFirstOrderCompiled(
  optimizer: GradientTransformation,
  objective: Objective,
  x0: Float64Array,
  opts: MethodOptions & { steps: number; chunkSteps?: number },
): OptimizeResult {
  const { precision, dim } = objective;
  const chunkSteps = Math.max(1, Math.min(opts.chunkSteps ?? DEFAULT_CHUNK_STEPS, opts.steps));
  const chunk = compileChunk(optimizer, objective, chunkSteps);
  let params = toDevice(x0, [dim], precision);
  let state = optimizer.init(params.ref);
  const trajectory: Float64Array[] = [];
  const history: IterationRecord[] = [];
  let x = Float64Array.from(x0);
  let iterations = 0;
  let diverged = false;
  try {
    while (iterations < opts.steps && !diverged) {
      // Not under withDefaultDevice(precision.device) as Objective's calls are: the surfaces' constants are device
      // arrays already; it changed nothing in Node, and Chromium's float64 races ran slower with it (noisy, measured).
      const [nextParams, nextState, readBack] = chunk(params, state);
      params = nextParams;
      state = nextState;
      const all = host(readBack);
      const n = chunkSteps * dim;
      const [p, f, g, t] = [
        all.subarray(0, n),
        all.subarray(n, n + chunkSteps),
        all.subarray(n + chunkSteps, 2 * n + chunkSteps),
        all.subarray(2 * n + chunkSteps),
      ];
      for (let i = 0; i < chunkSteps && iterations < opts.steps; i++) {
        const gradient = g.slice(i * dim, (i + 1) * dim);
        objective.record(p.subarray(i * dim, (i + 1) * dim), f[i], gradient);
        x = t.slice(i * dim, (i + 1) * dim);
        iterations++;
        if (opts.recordTrajectory) trajectory.push(x);
        const { fevals, gevals, hevals, hvps } = objective.counts;
        history.push({ iteration: iterations, f: f[i], gradNorm: norm(gradient), fevals, gevals, hevals, hvps });
        opts.onIteration?.(history[history.length - 1], Float64Array.from(x));
        if (!x.every(Number.isFinite)) {
          diverged = true;
          break;
        }
      }
    }
    return firstOrderResult(objective, Float64Array.from(x), iterations, diverged, history, opts, trajectory);
  } finally {
    jaxTree.dispose(params);
    jaxTree.dispose(state);
    chunk.dispose();
  }
}
