import { quadraticMin } from "./interpolate.js";
import { searchResult, type LineFunction, type LineSearchResult } from "./types.js";

export interface BacktrackingOptions {
  /** Sufficient-decrease constant c1 of the Armijo condition φ(α) <= φ(0) + c1 α φ'(0). */
  c1?: number;
  /** First trial step (1 for Newton and quasi-Newton directions). */
  alpha0?: number;
  /** Shrink factor when no interpolation is usable. */
  shrink?: number;
  /** Trials before giving up. */
  maxIter?: number;
  /** Smallest step worth trying. */
  minStep?: number;
}

/**
 * Backtracking with the Armijo condition (N&W Alg. 3.1): try α0, then shrink. Each shrink takes the
 * minimizer of the quadratic through φ(0), φ'(0) and φ(α) (N&W eq. 3.58), kept within [0.1α, 0.5α] so
 * that it neither stalls nor collapses. Only function values are evaluated.
 */
export function backtracking(
  line: LineFunction,
  phi0: number,
  dphi0: number,
  options: BacktrackingOptions = {},
): LineSearchResult {
  const { c1 = 1e-4, alpha0 = 1, shrink = 0.5, maxIter = 60, minStep = 1e-20 } = options;
  const result = searchResult(line);
  const done = (ok: boolean, alpha: number, f: number, message: string) => result(ok, { a: alpha, f }, message);
  if (!(dphi0 < 0)) return done(false, 0, phi0, `not a descent direction: φ'(0) = gᵀp = ${dphi0} >= 0`);
  let alpha = alpha0;
  for (let i = 0; i < maxIter && alpha >= minStep; i++) {
    const f = line.value(alpha);
    if (f <= phi0 + c1 * alpha * dphi0) return done(true, alpha, f, "Armijo condition satisfied");
    const trial = Number.isFinite(f) ? quadraticMin(0, phi0, dphi0, alpha, f) : undefined;
    alpha = trial === undefined ? shrink * alpha : Math.min(Math.max(trial, 0.1 * alpha), 0.5 * alpha);
  }
  return done(
    false,
    0,
    phi0,
    `no step satisfying the Armijo condition (c1 = ${c1}) down to α = ${alpha.toExponential(2)}`,
  );
}
