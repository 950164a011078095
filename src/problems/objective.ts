import { numpy as np, grad, hessian, jit, jvp, valueAndGrad } from "@jax-js/jax";
import { toDevice, type Precision } from "../engine/index.js";
import type { Problem } from "./problem.js";

/** Evaluation counts, SciPy's currency: nfev, njev, nhev, plus Hessian-vector products. */
export interface EvalCounts {
  fevals: number;
  gevals: number;
  hevals: number;
  hvps: number;
}

/**
 * A problem seen from the host: values, gradients, Hessians and Hessian-vector products of
 * Float64Array points, each call counted. Solvers and line searches (which run on the host:
 * jax-js has no while_loop) use this view. `valueAndGrad` counts one f and one g evaluation.
 */
export class Objective {
  readonly counts: EvalCounts = { fevals: 0, gevals: 0, hevals: 0, hvps: 0 };
  readonly dim: number;
  private readonly fn;
  private readonly vg;
  private readonly hvpFn;

  constructor(
    readonly problem: Problem,
    readonly precision: Precision,
  ) {
    this.dim = problem.dim;
    this.fn = jit(problem.f);
    this.vg = jit(valueAndGrad(problem.f));
    // Forward-over-reverse: H v = d/dε ∇f(x + εv), never forming H.
    const hvp = (x: np.Array, v: np.Array) => jvp(grad(problem.f), [x], [v])[1];
    // jax-js 0.1.25 bug: jit(jvp(grad(f))) in float64 with a matmul throws "bufidx out of bounds"
    // on the cpu device and returns wrong values on Wasm (measured: [1.00006, 0.50003] for [2, 1]),
    // so in float64 the HVP runs eagerly (still exact; float32 jit is correct).
    this.hvpFn = precision.dtype === np.float64 ? Object.assign(hvp, { dispose() {} }) : jit(hvp);
  }

  private point(x: ArrayLike<number>): np.Array {
    if (x.length !== this.dim) throw new Error(`point has ${x.length} entries but the problem has dimension ${this.dim}`);
    return toDevice(x, [this.dim], this.precision);
  }

  value(x: ArrayLike<number>): number {
    this.counts.fevals++;
    return this.fn(this.point(x)).item();
  }

  valueAndGrad(x: ArrayLike<number>): [number, Float64Array] {
    this.counts.fevals++;
    this.counts.gevals++;
    const [v, g] = this.vg(this.point(x));
    return [v.item(), Float64Array.from(g.dataSync() as ArrayLike<number>)];
  }

  /** The dense n×n Hessian, row-major. */
  hessian(x: ArrayLike<number>): Float64Array {
    this.counts.hevals++;
    return Float64Array.from(hessian(this.problem.f)(this.point(x)).dataSync() as ArrayLike<number>);
  }

  hvp(x: ArrayLike<number>, v: ArrayLike<number>): Float64Array {
    this.counts.hvps++;
    return Float64Array.from(this.hvpFn(this.point(x), this.point(v)).dataSync() as ArrayLike<number>);
  }

  dispose(): void {
    this.fn.dispose();
    this.vg.dispose();
    this.hvpFn.dispose();
  }
}
