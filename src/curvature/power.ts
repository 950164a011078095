/**
 * Power iteration with deflation: the check on Lanczos (and PyHessian's method for the top
 * eigenvalue). Finds the eigenvalues of H farthest from `shift`, one at a time, projecting the
 * iterate off the eigenvectors already found (orthogonal deflation).
 */
import { random, type Key } from "../engine/index.js";
import type { HessianOperator } from "./operator.js";
import { axpy, dot, norm, orthogonalize, scale } from "../linalg/vector.js";
import { randomUnit } from "./probes.js";

export interface PowerOptions {
  /** How many eigenpairs. Default 1. */
  count?: number;
  /**
   * Iterate on H − shift·I, whose dominant eigenvalues are H's farthest from the shift: 0 gives
   * the largest |λ|; a lower bound of the spectrum gives the top, an upper bound the bottom.
   */
  shift?: number;
  /** Stop when ‖Hv − λv‖ <= tol · |λ − shift|. Default 1e-10. */
  tol?: number;
  /** Iterations per eigenpair. Default 2000. */
  maxIterations?: number;
  key?: Key;
}

export interface PowerEigenpair {
  value: number;
  vector: Float64Array;
  iterations: number;
  residual: number;
  converged: boolean;
}

export function powerIteration(op: HessianOperator, opts: PowerOptions = {}): PowerEigenpair[] {
  const count = Math.min(opts.count ?? 1, op.dim);
  const shift = opts.shift ?? 0;
  const tol = opts.tol ?? 1e-10;
  const maxIterations = opts.maxIterations ?? 2000;
  const key = opts.key ?? random.randomKey(0);
  const found: PowerEigenpair[] = [];
  for (let k = 0; k < count; k++) {
    const deflate = (v: Float64Array) =>
      orthogonalize(
        v,
        found.map((p) => p.vector),
      );
    let v = deflate(randomUnit(random.foldIn(key, k), op.dim));
    v = scale(v, 1 / norm(v));
    let pair: PowerEigenpair = { value: NaN, vector: v, iterations: 0, residual: Infinity, converged: false };
    for (let it = 1; it <= maxIterations; it++) {
      const w = deflate(axpy(op.apply(v), -shift, v)); // (H − shift·I) v, kept off the found eigenvectors
      const mu = dot(v, w); // Rayleigh quotient of the shifted operator
      const residual = norm(axpy(Float64Array.from(w), -mu, v));
      pair = { value: mu + shift, vector: v, iterations: it, residual, converged: residual <= tol * Math.abs(mu) };
      const length = norm(w);
      if (pair.converged || !(length > 0)) break;
      v = scale(w, 1 / length);
    }
    found.push(pair);
  }
  return found;
}
