import { searchResult, type LineFunction, type LineSearchResult } from "./types.js";

export interface HagerZhangOptions {
  /** Sufficient decrease δ: φ(α) <= φ(0) + δαφ'(0) (default 0.1). */
  delta?: number;
  /** Curvature σ: φ'(α) >= σφ'(0) (default 0.9). */
  sigma?: number;
  /** ε: the approximate Wolfe conditions allow φ(α) <= φ(0) + ε|φ(0)| (default 1e-6). */
  epsilon?: number;
  /** θ: bisection point of update's step U3 (default 0.5). */
  theta?: number;
  /** γ: bisect when secant² shrank the bracket by less than this factor (default 0.66). */
  gamma?: number;
  /** ρ: expansion factor of the bracketing phase (default 5). */
  rho?: number;
  /** First trial step. */
  alpha0?: number;
  /** Trials allowed in all (default 50). */
  maxTrials?: number;
}

interface Point {
  a: number;
  f: number;
  d: number;
}

// Control flow out of the nested procedures: a trial met the conditions, or the trials ran out.
class Found extends Error {}
class Exhausted extends Error {}

/**
 * The line search of CG_DESCENT (Hager & Zhang, SIAM J. Optim. 16(1):170–192, 2005, §4; ACM TOMS 32(1):113–137,
 * 2006): bracket by expansion, then double secant steps (secant²) with bisection when the bracket shrinks
 * too slowly. It stops at a step satisfying the Wolfe conditions, φ(α) <= φ(0) + δαφ'(0) and φ'(α) >= σφ'(0),
 * or the approximate Wolfe conditions, (2δ − 1)φ'(0) >= φ'(α) >= σφ'(0) and φ(α) <= φ(0) + ε|φ(0)|, which
 * stay testable where f no longer resolves the decrease (rounding near a minimizer). Every trial costs f and ∇f.
 */
export function hagerZhang(
  line: LineFunction,
  phi0: number,
  dphi0: number,
  options: HagerZhangOptions = {},
): LineSearchResult {
  const {
    delta = 0.1,
    sigma = 0.9,
    epsilon = 1e-6,
    theta = 0.5,
    gamma = 0.66,
    rho = 5,
    alpha0 = 1,
    maxTrials = 50,
  } = options;
  if (!(0 < delta && delta <= 0.5 && delta < sigma && sigma < 1))
    throw new Error(`Hager–Zhang needs 0 < δ <= 1/2, δ < σ < 1; got δ = ${delta}, σ = ${sigma}`);
  const done = searchResult(line);
  const origin: Point = { a: 0, f: phi0, d: dphi0 };
  if (!(dphi0 < 0)) return done(false, origin, `not a descent direction: φ'(0) = ${dphi0} >= 0`);
  const fLimit = phi0 + epsilon * Math.abs(phi0);
  let trials = 0;
  let found: Point | undefined;
  const wolfe = (p: Point) =>
    p.d >= sigma * dphi0 && (p.f <= phi0 + delta * p.a * dphi0 || (p.d <= (2 * delta - 1) * dphi0 && p.f <= fLimit));
  const evaluate = (a: number): Point => {
    if (trials++ >= maxTrials) throw new Exhausted();
    const [f, d] = line.valueAndSlope(a);
    const p = { a, f, d };
    if (Number.isFinite(f) && Number.isFinite(d) && wolfe(p)) {
      found = p;
      throw new Found();
    }
    return p;
  };
  const secant = (a: Point, b: Point) => (a.a * b.d - b.a * a.d) / (b.d - a.d);

  // U3: shrink [a, b] (φ'(b) < 0 but φ(b) too high) by bisection until φ' turns non-negative.
  const shrink = (a: Point, b: Point): [Point, Point] => {
    for (;;) {
      const c = evaluate((1 - theta) * a.a + theta * b.a);
      if (c.d >= 0) return [a, c];
      if (c.f <= fLimit) a = c;
      else b = c;
    }
  };
  // update (U0–U3): the bracket [a, b] given a new point c.
  const update = (a: Point, b: Point, c: Point): [Point, Point] => {
    if (!(c.a > a.a && c.a < b.a)) return [a, b];
    if (c.d >= 0) return [a, c];
    if (c.f <= fLimit) return [c, b];
    return shrink(a, c);
  };
  const updateAt = (a: Point, b: Point, alpha: number): [Point, Point] =>
    Number.isFinite(alpha) && alpha > a.a && alpha < b.a ? update(a, b, evaluate(alpha)) : [a, b];
  // secant² (S1–S4): a secant step, then a second one from the side that moved.
  const secant2 = (a: Point, b: Point): [Point, Point] => {
    const cAlpha = secant(a, b);
    const [A, B] = updateAt(a, b, cAlpha);
    if (cAlpha === B.a) return updateAt(A, B, secant(b, B));
    if (cAlpha === A.a) return updateAt(A, B, secant(a, A));
    return [A, B];
  };
  // bracket (B0–B3): expand by ρ until φ' >= 0, or until φ is too high (then shrink).
  const bracket = (c: Point): [Point, Point] => {
    let lastLow = origin;
    for (;;) {
      if (c.d >= 0) return [lastLow, c];
      if (!(c.f <= fLimit)) return shrink(origin, c);
      lastLow = c;
      c = evaluate(rho * c.a);
    }
  };

  try {
    let first = evaluate(alpha0);
    // A first step where f or its slope is not finite: back off until both are.
    while (!(Number.isFinite(first.f) && Number.isFinite(first.d))) first = evaluate(first.a / rho);
    let [a, b] = bracket(first);
    for (;;) {
      const width = b.a - a.a;
      [a, b] = secant2(a, b);
      if (b.a - a.a > gamma * width) [a, b] = updateAt(a, b, (a.a + b.a) / 2);
      if (b.a - a.a <= 1e-16 * b.a)
        return done(
          a.a > 0,
          a,
          `the bracket collapsed at α = ${a.a.toExponential(3)} without meeting the Wolfe conditions`,
        );
    }
  } catch (error) {
    if (error instanceof Found)
      return done(
        true,
        found!,
        found!.f <= phi0 + delta * found!.a * dphi0
          ? "Wolfe conditions satisfied"
          : "approximate Wolfe conditions satisfied",
      );
    if (error instanceof Exhausted) return done(false, origin, `no Wolfe step within ${maxTrials} trials`);
    throw error;
  }
}
