/**
 * The extreme eigenvalues of a Hessian from Hessian-vector products alone (Lanczos with full
 * reorthogonalization), with a residual bound for each, and the condition number they imply.
 */
import { random, type Key } from "../engine/index.js";
import { Lanczos } from "./lanczos.js";
import type { HessianOperator } from "./operator.js";

export interface Eigenpair {
  value: number;
  /** ‖Hy − λy‖ for the unit Ritz vector y: some eigenvalue of H lies within this distance of `value`. */
  residual: number;
  /** The unit Ritz vector, when asked for. */
  vector?: Float64Array;
}

export interface ExtremeEigenOptions {
  /** How many of the largest eigenvalues (returned descending). Default 1. */
  top?: number;
  /** How many of the smallest eigenvalues (returned ascending). Default 0. */
  bottom?: number;
  /** Stop when every wanted pair has residual <= tol · max(|λ|, floor). Default 1e-10. */
  tol?: number;
  /** Absolute floor of the tolerance, relative to the largest |Ritz value|, for eigenvalues near zero. Default 1e-9. */
  floorRelative?: number;
  /** Cap on Lanczos steps (= Hessian-vector products). Default min(n, 300). */
  maxSteps?: number;
  /** Start vector (default: random, from `key`). */
  start?: Float64Array;
  key?: Key;
  /** Return the Ritz vectors too. */
  vectors?: boolean;
}

export interface ExtremeEigenResult {
  top: Eigenpair[];
  bottom: Eigenpair[];
  /** Lanczos steps taken, one Hessian-vector product each. */
  steps: number;
  /** Every wanted pair met the tolerance (always true once the Krylov space is the whole space). */
  converged: boolean;
  /** All Ritz values of the last T_m, ascending (a coarse picture of the whole spectrum). */
  ritzValues: Float64Array;
}

/**
 * Top-k and bottom-k eigenvalues of H by Lanczos. Each distinct eigenvalue is found once from one
 * start vector (a breakdown restarts with a fresh random vector, so repeated eigenvalues can appear).
 */
export function extremeEigenpairs(op: HessianOperator, opts: ExtremeEigenOptions = {}): ExtremeEigenResult {
  const n = op.dim;
  const top = Math.min(opts.top ?? 1, n);
  const bottom = Math.min(opts.bottom ?? 0, n);
  if (top < 0 || bottom < 0) throw new Error("top and bottom must be non-negative");
  const tol = opts.tol ?? 1e-10;
  const floorRelative = opts.floorRelative ?? 1e-9;
  const maxSteps = Math.min(opts.maxSteps ?? 300, n);
  const key = opts.key ?? random.randomKey(0);
  const start = opts.start ?? random.normal(random.foldIn(key, 1), n);
  const lanczos = new Lanczos(op, Float64Array.from(start), { restartKey: random.foldIn(key, 2) });
  const wanted = Math.max(top + bottom, 1);

  for (;;) {
    lanczos.step();
    const m = lanczos.steps;
    const last = lanczos.done || m >= maxSteps;
    // Checking costs O(m³) on the host; do it about every m/8 steps (always at the end).
    if (!last && (m < wanted || m % Math.max(1, Math.floor(m / 8)) !== 0)) continue;
    const eigen = lanczos.tridiagonal();
    const values = eigen.values;
    const scale = Math.max(Math.abs(values[0]), Math.abs(values[m - 1]));
    const pick = (j: number): Eigenpair => ({
      value: values[j],
      residual: lanczos.ritzResidual(eigen, j),
      ...(opts.vectors ? { vector: lanczos.ritzVector(eigen, j) } : {}),
    });
    const topIdx = Array.from({ length: Math.min(top, m) }, (_, i) => m - 1 - i);
    const bottomIdx = Array.from({ length: Math.min(bottom, m) }, (_, i) => i);
    const ok = (j: number) =>
      lanczos.ritzResidual(eigen, j) <= tol * Math.max(Math.abs(values[j]), floorRelative * scale);
    const converged = lanczos.done || (m >= wanted && [...topIdx, ...bottomIdx].every(ok));
    if (converged || last) {
      return {
        top: topIdx.map(pick),
        bottom: bottomIdx.map(pick),
        steps: m,
        converged,
        ritzValues: Float64Array.from(values),
      };
    }
  }
}

/**
 * κ(H) = λ_max / λ_min for a positive definite H; null when the extremes show H is not positive
 * definite (for an indefinite H, min |λ| may lie inside the spectrum, where Lanczos does not look).
 */
export function conditionNumber(lambdaMax: number, lambdaMin: number): number | null {
  return lambdaMin > 0 && lambdaMax >= lambdaMin ? lambdaMax / lambdaMin : null;
}
