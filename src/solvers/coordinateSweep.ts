import { jit, jvp, numpy as np, type OwnedFunction } from "@jax-js/jax";
import { toDevice } from "../engine/index.js";
import type { Objective } from "../problems/objective.js";

/** Coordinates per compiled call: the sweep is unrolled, so a chunk bounds the size of the program. */
const CHUNK = 16;

/** The tangent of a JVP, releasing its primal. */
const tangentOnly = ([primal, tangent]: [np.Array, np.Array]) => (primal.dispose(), tangent);

type Chunk = (x: np.Array, rows: np.Array, f: np.Array) => [np.Array, np.Array, np.Array];

/**
 * One cyclic sweep of single-coordinate Newton steps, x_i ← x_i − (∂f/∂x_i)/(∂²f/∂x_i²), compiled so
 * that a sweep costs one device call per CHUNK coordinates instead of two host round trips per coordinate.
 * A step is kept only where ∂²f/∂x_i² > 0 and f does not increase (the safeguard); the coordinates where it
 * is not are returned, for the caller to minimize by a line search.
 */
export class CoordinateNewtonSweep {
  private readonly chunk: OwnedFunction<Chunk>;

  constructor(private readonly objective: Objective) {
    const { f, grad: userGrad, hvp: userHvp } = objective.problem;
    // ∂f/∂x_i and ∂²f/∂x_i² along e: forward over forward (two JVPs), or the user's ∇f and Hv when given.
    const derivatives = (x: np.Array, e: np.Array): [np.Array, np.Array] => {
      if (userGrad || userHvp) {
        const slope = userGrad ? np.dot(userGrad(x.ref), e.ref) : tangentOnly(jvp(f, [x.ref], [e.ref]));
        const curvature = userHvp
          ? np.dot(userHvp(x, e.ref), e)
          : tangentOnly(jvp((y: np.Array) => np.dot(userGrad!(y), e.ref), [x], [e.ref]));
        if (!userHvp) e.dispose();
        return [slope, curvature];
      }
      const slopeAlong = (y: np.Array) => tangentOnly(jvp(f, [y], [e.ref]));
      const [slope, curvature] = jvp(slopeAlong, [x], [e.ref]);
      e.dispose();
      return [slope, curvature];
    };
    this.chunk = jit((x: np.Array, rows: np.Array, f0: np.Array): [np.Array, np.Array, np.Array] => {
      const k = rows.shape[0];
      const n = rows.shape[1];
      let fx = f0;
      const kept: np.Array[] = [];
      for (let i = 0; i < k; i++) {
        const e = rows.ref.slice([i, i + 1]).reshape([n]);
        const [slope, curvature] = derivatives(x.ref, e.ref);
        const convex = curvature.ref.greater(0);
        const step = np.where(convex.ref, slope.div(curvature), 0);
        const trial = x.ref.sub(e.mul(step));
        const fTrial = f(trial.ref);
        const keep = np.logicalAnd(convex, fTrial.ref.lessEqual(fx.ref));
        x = np.where(keep.ref, trial, x);
        fx = np.where(keep.ref, fTrial, fx);
        kept.push(keep.reshape([1]));
      }
      rows.dispose();
      return [x, fx, np.concatenate(kept)];
    });
  }

  /**
   * Runs the sweep over `order` from x (updated in place) where f(x) = f, charging one f, one derivative
   * and one second derivative per coordinate to the objective; returns f at the new x and the rejected coordinates.
   */
  run(x: Float64Array, order: number[], f: number): { f: number; rejected: number[] } {
    const n = x.length;
    const { precision, counts } = this.objective;
    const rejected: number[] = [];
    for (let start = 0; start < order.length; start += CHUNK) {
      const indices = order.slice(start, start + CHUNK);
      const rows = new Float64Array(indices.length * n);
      indices.forEach((i, r) => (rows[r * n + i] = 1));
      const [xOut, fOut, keep] = this.chunk(
        toDevice(x, [n], precision),
        toDevice(rows, [indices.length, n], precision),
        toDevice([f], [], precision),
      );
      x.set(xOut.dataSync() as ArrayLike<number>);
      f = fOut.item();
      const kept = keep.dataSync() as ArrayLike<number>;
      indices.forEach((i, r) => (kept[r] ? undefined : rejected.push(i)));
      counts.fevals += indices.length;
      counts.gevals += indices.length;
      counts.hvps += indices.length;
    }
    this.objective.forget();
    return { f, rejected };
  }

  dispose(): void {
    this.chunk.dispose();
  }
}
