import { ObjectiveLine } from "../linesearch/lineFunction.js";
import { strongWolfe } from "../linesearch/strongWolfe.js";
import { axpy, dot, neg, norm, sub, type Vec } from "../linalg/vector.js";
import type { OptimizeResult } from "./result.js";
import type { Objective } from "../problems/objective.js";
import { firstStep } from "./bfgs.js";
import type { SolverOptions } from "./options.js";
import { SolverRun } from "./run.js";

export interface LbfgsOptions extends SolverOptions {
  /** Number of (s, y) pairs kept (default 10). */
  memory?: number;
  c1?: number;
  c2?: number;
}

/** The last m curvature pairs of L-BFGS, oldest first. */
export class LbfgsMemory {
  readonly pairs: { s: Vec; y: Vec; rho: number }[] = [];
  constructor(readonly size: number) {
    if (!(Number.isInteger(size) && size >= 1)) throw new Error(`L-BFGS memory must be a positive integer, got ${size}`);
  }

  /** Stores (s, y) when sᵀy > 0 (curvature condition); returns false when the pair was skipped. */
  push(s: Vec, y: Vec): boolean {
    const sy = dot(s, y);
    if (!(sy > 1e-10 * norm(s) * norm(y))) return false;
    if (this.pairs.length === this.size) this.pairs.shift();
    this.pairs.push({ s, y, rho: 1 / sy });
    return true;
  }

  /** −H g by the two-loop recursion (N&W Alg. 7.4), H₀ = γI with γ = sᵀy / yᵀy of the newest pair (eq. 7.20). */
  direction(g: Vec): Vec {
    const q = Float64Array.from(g);
    const k = this.pairs.length;
    const alphas = new Float64Array(k);
    for (let i = k - 1; i >= 0; i--) {
      const { s, y, rho } = this.pairs[i];
      alphas[i] = rho * dot(s, q);
      axpy(q, -alphas[i], y);
    }
    const newest = this.pairs[k - 1];
    const gamma = newest ? 1 / (newest.rho * dot(newest.y, newest.y)) : 1;
    for (let i = 0; i < q.length; i++) q[i] *= gamma;
    for (let i = 0; i < k; i++) {
      const { s, y, rho } = this.pairs[i];
      const beta = rho * dot(y, q);
      axpy(q, alphas[i] - beta, s);
    }
    return neg(q);
  }

  clear(): void {
    this.pairs.length = 0;
  }
}

/**
 * L-BFGS (N&W Alg. 7.5): BFGS with the inverse Hessian kept implicitly as the last m pairs (s, y),
 * applied by the two-loop recursion; strong Wolfe line search with c2 = 0.9, unit step first.
 */
export function lbfgs(objective: Objective, x0: ArrayLike<number>, options: LbfgsOptions = {}): OptimizeResult {
  const { memory = 10, c1 = 1e-4, c2 = 0.9 } = options;
  const run = new SolverRun(objective, options);
  const mem = new LbfgsMemory(memory);
  let x: Vec = Float64Array.from(x0);
  let [f, g] = objective.valueAndGrad(x);
  let skipped = 0;
  for (;;) {
    const stop = run.stopBefore(f, norm(g));
    if (stop) return run.result(x, f, norm(g), { ...stop, message: skipped ? `${stop.message} (${skipped} pairs skipped for sᵀy <= 0)` : stop.message });
    let p = mem.direction(g);
    if (!(dot(p, g) < 0)) {
      mem.clear();
      p = neg(g);
    }
    const line = new ObjectiveLine(objective, x, p);
    const search = strongWolfe(line, f, dot(g, p), { c1, c2, alpha0: mem.pairs.length ? 1 : firstStep(g) });
    if (!(search.alpha > 0)) return run.result(x, f, norm(g), { converged: false, message: `line search failed: ${search.message}` });
    const [fNew, gNew] = line.valueAndGrad(search.alpha);
    const xNew = line.point(search.alpha);
    if (!mem.push(sub(xNew, x), sub(gNew, g))) skipped++;
    [x, f, g] = [xNew, fNew, gNew];
    run.record(x, f, norm(g), { alpha: search.alpha });
  }
}
