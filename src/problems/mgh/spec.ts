import type { Expr, Scope } from "./expr.js";

/**
 * One function of Moré, Garbow & Hillstrom, "Testing unconstrained optimization software",
 * ACM TOMS 7(1):17–41, 1981: f(x) = Σ_{i=1..m} f_i(x)², written from the paper's definitions.
 */
export interface MghFunction {
  /** The paper's number (1–35). */
  id: number;
  name: string;
  /** The dimension used by default (the paper's, or a common choice where n is variable). */
  n: number;
  /** Allowed n, when variable: a range and an extra rule (e.g. even). */
  variable?: { min: number; max: number; multipleOf?: number };
  /** Number of residuals m for dimension n. */
  m(n: number): number;
  /** The standard starting point x0. */
  x0(n: number): number[];
  /** The residual vector (f_1, …, f_m) at x. */
  residuals(x: Expr, scope: Scope, n: number): Expr;
  /** The published minimum value f* for this n, when the paper gives one. */
  fstar?(n: number): number | undefined;
  /** A published minimizer for this n, when the paper gives one (possibly rounded as printed). */
  xstar?(n: number): number[] | undefined;
  /**
   * Whether f uses exp/sin/cos/atan/pow: those need the exact
   * cpu float64 path (Wasm float64 is float32-accurate there).
   */
  transcendental: boolean;
}

/** A value known for some dimensions only (the paper lists f* per n). */
export const perDimension = (table: Record<number, number>) => (n: number) => table[n];

export const filled = (n: number, value: number) => Array.from({ length: n }, () => value);
/** 1-based index helper: [1, 2, …, count]. */
export const oneTo = (count: number) => Array.from({ length: count }, (_, i) => i + 1);
