import { numpy as np, grad, jit, jvp, valueAndGrad, vmap } from "@jax-js/jax";
import { toDevice, withDefaultDevice, type Precision } from "../engine/index.js";
import type { Problem } from "./problem.js";

/** Evaluation counts, SciPy's currency: nfev, njev, nhev, plus Hessian-vector products. */
export interface EvalCounts {
  fevals: number;
  gevals: number;
  hevals: number;
  hvps: number;
}

/** The last point asked about and what is known there (SciPy's ScalarFunction keeps the same). */
interface LastPoint {
  x: Float64Array;
  f?: number;
  g?: Float64Array;
}

const samePoint = (a: Float64Array, b: ArrayLike<number>) => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

/**
 * A problem seen from the host: values, gradients, Hessians and Hessian-vector products of
 * Float64Array points, each call counted. Solvers and line searches (which run on the host:
 * jax-js has no while_loop) use this view.
 *
 * Counting follows SciPy's ScalarFunction: f and ∇f at the most recent point are remembered, so
 * asking again for what is already known there costs nothing, and asking for ∇f where only f is
 * known counts one gradient evaluation (not another f). Any new point is counted in full.
 */
export class Objective {
  readonly counts: EvalCounts = { fevals: 0, gevals: 0, hevals: 0, hvps: 0 };
  readonly dim: number;
  private readonly fn;
  /** f and ∇f of one point as a traceable function (what the compiled value-and-gradient runs; consumes x). */
  readonly valueAndGradient: (x: np.Array) => [np.Array, np.Array];
  private readonly vg;
  private readonly hvpFn;
  private readonly hessianFn;
  private last: LastPoint | undefined;

  constructor(
    readonly problem: Problem,
    readonly precision: Precision,
  ) {
    this.dim = problem.dim;
    this.fn = jit(problem.f);
    const { grad: userGrad, hvp: userHvp } = problem;
    const gradient = userGrad ?? grad(problem.f);
    this.valueAndGradient = userGrad
      ? (x: np.Array): [np.Array, np.Array] => [problem.f(x.ref), gradient(x)]
      : (valueAndGrad(problem.f) as (x: np.Array) => [np.Array, np.Array]);
    this.vg = jit(this.valueAndGradient);
    if (userHvp) {
      this.hvpFn = jit(userHvp);
    } else if (precision.dtype === np.float64) {
      // jax-js 0.1.25 bug: jit(jvp(grad(f))) in float64 with a matmul throws "bufidx out of bounds"
      // on the cpu device and returns wrong values on Wasm (measured: [1.00006, 0.50003] for [2, 1]).
      // Reverse-over-reverse, H v = ∇(∇f · v), compiles correctly (within 2e-16 of the eager HVP)
      // and is 3-9x faster than running forward-over-reverse eagerly (rosenbrock100: 2.8 vs 16 ms).
      this.hvpFn = jit((x: np.Array, v: np.Array) => {
        const out = grad((y: np.Array) => np.dot(gradient(y), v.ref))(x);
        v.dispose();
        return out;
      });
    } else {
      // Forward-over-reverse: H v = d/dε ∇f(x + εv), never forming H.
      this.hvpFn = jit((x: np.Array, v: np.Array) => jvp(gradient, [x], [v])[1]);
    }
    // The dense Hessian as n reverse-over-reverse HVPs against the identity, vmapped in one compiled call:
    // correct in float64 on both devices (jit(hessian) is not, being forward-over-reverse) and faster
    // than eager hessian() (measured, cpu device: mlp 100 vs 550 ms, rosenbrock100 175 vs 330 ms).
    const hvpOf = userHvp ?? ((x: np.Array, v: np.Array) => grad((y: np.Array) => np.dot(gradient(y), v.ref))(x));
    this.hessianFn = jit((x: np.Array, eye: np.Array) => {
      const rows = vmap((v: np.Array) => hvpOf(x.ref, v))(eye);
      x.dispose();
      return rows;
    });
  }

  /** Traces on the problem's device, so the programs' constants live there (engine/device.ts says why). */
  private onDevice<T>(fn: () => T): T {
    return withDefaultDevice(this.precision.device, fn);
  }

  private identity(): np.Array {
    const n = this.dim;
    return toDevice(
      Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0)),
      [n, n],
      this.precision,
    );
  }

  private point(x: ArrayLike<number>): np.Array {
    if (x.length !== this.dim)
      throw new Error(`point has ${x.length} entries but the problem has dimension ${this.dim}`);
    return toDevice(x, [this.dim], this.precision);
  }

  /** What is remembered at x (a fresh record when x is a new point). */
  private at(x: ArrayLike<number>): LastPoint {
    if (this.last && x.length === this.last.x.length && samePoint(this.last.x, x)) return this.last;
    this.last = { x: Float64Array.from(x) };
    return this.last;
  }

  value(x: ArrayLike<number>): number {
    const known = this.at(x);
    if (known.f === undefined) {
      this.counts.fevals++;
      known.f = this.onDevice(() => this.fn(this.point(x)).item());
    }
    return known.f;
  }

  /** f and ∇f at x; the returned gradient is the caller's to keep. */
  valueAndGrad(x: ArrayLike<number>): [number, Float64Array] {
    const known = this.at(x);
    if (known.g === undefined) {
      if (known.f === undefined) this.counts.fevals++;
      this.counts.gevals++;
      const [v, g] = this.onDevice(() => this.vg(this.point(x)));
      const value = v.item();
      known.f ??= value;
      known.g = Float64Array.from(g.dataSync() as ArrayLike<number>);
    }
    return [known.f!, Float64Array.from(known.g)];
  }

  /**
   * Takes f and ∇f at x computed elsewhere (a compiled run of many steps), counted and remembered as
   * `valueAndGrad(x)` would count and remember them.
   */
  record(x: ArrayLike<number>, f: number, g: Float64Array): void {
    const known = this.at(x);
    if (known.g !== undefined) return;
    if (known.f === undefined) this.counts.fevals++;
    this.counts.gevals++;
    known.f ??= f;
    known.g = Float64Array.from(g);
  }

  /** The dense n×n Hessian, row-major. */
  hessian(x: ArrayLike<number>): Float64Array {
    this.counts.hevals++;
    return Float64Array.from(
      this.onDevice(() => this.hessianFn(this.point(x), this.identity()).dataSync()) as ArrayLike<number>,
    );
  }

  hvp(x: ArrayLike<number>, v: ArrayLike<number>): Float64Array {
    this.counts.hvps++;
    return Float64Array.from(
      this.onDevice(() => this.hvpFn(this.point(x), this.point(v)).dataSync()) as ArrayLike<number>,
    );
  }

  /** Forgets the remembered point, so that the next evaluation is counted even at the same x. */
  forget(): void {
    this.last = undefined;
  }

  dispose(): void {
    this.fn.dispose();
    this.vg.dispose();
    this.hvpFn.dispose();
    this.hessianFn.dispose();
  }
}
