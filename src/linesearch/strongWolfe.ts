import { cubicMinThreePoints, cubicMinTwoSlopes, quadraticMin, secantMin } from "./interpolate.js";
import { searchResult, type LineFunction, type LineSearchResult } from "./types.js";

export interface StrongWolfeOptions {
  /** Sufficient decrease: φ(α) <= φ(0) + c1 α φ'(0). */
  c1?: number;
  /** Curvature: |φ'(α)| <= c2 |φ'(0)| (0.9 for (quasi-)Newton directions, 0.1 for conjugate gradients). */
  c2?: number;
  /** First trial step. */
  alpha0?: number;
  /** Largest step considered. */
  alphaMax?: number;
  /** Trials of the bracketing phase (N&W Alg. 3.5). */
  maxBracket?: number;
  /** Trials of the zoom phase (N&W Alg. 3.6). */
  maxZoom?: number;
  /**
   * Relative size of f's rounding noise (default 1e-12): a trial whose f is within this·|φ(0)| of
   * the reference is judged by its slope (Hager & Zhang's approximate Wolfe conditions), so that a
   * search near a minimum is not defeated by rounding in f.
   */
  flatTolerance?: number;
  /**
   * Before paying for φ'(α) at a trial that passes sufficient decrease, fit the quadratic through
   * (α_prev, φ, φ') and (α, φ): when it predicts a slope at α above this·|φ'(0)| (so α is past the
   * minimizer), go straight to the model's minimizer instead. Default c2 (skip gradients the curvature
   * test would reject); smaller values buy a more exact search with function values; 0 disables.
   */
  predictCurvature?: number;
}

/** A trial step and what is known there (the slope only once a gradient was paid for). */
interface Trial {
  a: number;
  f: number;
  d?: number;
}

/**
 * A line search for the strong Wolfe conditions (Nocedal & Wright Alg. 3.5 with zoom, Alg. 3.6):
 * sufficient decrease φ(α) <= φ(0) + c1 α φ'(0) and curvature |φ'(α)| <= c2 |φ'(0)|.
 * A gradient is evaluated only at steps that already pass sufficient decrease (as SciPy's
 * scalar_search_wolfe2 does), so rejected trials cost one function value each. Trial steps come
 * from cubic or quadratic interpolation (N&W eqs. 3.58-3.59), replaced by bisection when the bracket
 * stops shrinking. Two measured additions (docs/solvers.md): a trial predicted to overshoot tries the
 * model's minimizer before paying for its gradient, and where f is flat to rounding the slope decides.
 */
export function strongWolfe(
  line: LineFunction,
  phi0: number,
  dphi0: number,
  options: StrongWolfeOptions = {},
): LineSearchResult {
  const {
    c1 = 1e-4,
    c2 = 0.9,
    alpha0 = 1,
    alphaMax = 1e10,
    maxBracket = 30,
    maxZoom = 40,
    flatTolerance = 1e-12,
  } = options;
  const predictCurvature = options.predictCurvature ?? c2;
  if (!(0 < c1 && c1 < c2 && c2 < 1)) throw new Error(`strong Wolfe needs 0 < c1 < c2 < 1, got c1 = ${c1}, c2 = ${c2}`);
  const done = searchResult(line);
  const origin: Trial = { a: 0, f: phi0, d: dphi0 };
  if (!(dphi0 < 0)) return done(false, origin, `not a descent direction: φ'(0) = gᵀp = ${dphi0} >= 0`);
  const armijo = (t: Trial) => t.f <= phi0 + c1 * t.a * dphi0;
  const curvature = (d: number) => Math.abs(d) <= -c2 * dphi0;
  const withSlope = (t: Trial): Trial => ({ ...t, d: line.valueAndSlope(t.a)[1] });
  // Near a minimum f changes by less than its rounding: a trial whose f lies within `noise` of the
  // reference (either side) then passes "sufficient decrease" when its slope does, φ'(α) <= (2c1 − 1)φ'(0)
  // (Hager & Zhang's approximate Wolfe conditions), and the slope, not f, steers the search.
  const noise = flatTolerance * Math.abs(phi0);
  const approximateDecrease = (t: Trial, reference: number): Trial | undefined => {
    if (!(Number.isFinite(t.f) && Math.abs(t.f - reference) <= noise)) return undefined;
    const ts = withSlope(t);
    return ts.d! <= (2 * c1 - 1) * dphi0 ? ts : undefined;
  };
  // With slopes at both ends: the cubic (N&W eq. 3.59), or, when f is flat to rounding between them
  // (so f differences are noise), the secant step on φ' alone, which is exact for a quadratic.
  const twoSlopeMin = (u: Trial, v: Trial) =>
    Math.abs(u.f - v.f) <= noise && u.d !== v.d
      ? secantMin(u.a, u.d!, v.a, v.d!)
      : cubicMinTwoSlopes(u.a, u.f, u.d!, v.a, v.f, v.d!);
  const accepted = (t: Trial) =>
    done(
      true,
      t,
      armijo(t) ? "strong Wolfe conditions satisfied" : "approximate Wolfe conditions satisfied (f flat to rounding)",
    );

  // When the quadratic through (lo, φ, φ') and (t, φ) has a slope at t above predictCurvature·|φ'(0)|,
  // t is past the minimizer: return the model's minimizer (in (lo, t)), else undefined.
  const predictedMinimizer = (lo: Trial, t: Trial): number | undefined => {
    const h = t.a - lo.a;
    const curv = (t.f - lo.f - lo.d! * h) / (h * h);
    if (!(curv > 0) || !(lo.d! + 2 * curv * h > -predictCurvature * dphi0)) return undefined;
    const a = lo.a - lo.d! / (2 * curv);
    return a > lo.a && a < t.a ? a : undefined;
  };

  // Alg. 3.6: lo holds the best step that passes sufficient decrease; the minimizer lies between lo and hi.
  const zoom = (lo: Trial, hi: Trial): LineSearchResult => {
    let previous: Trial | undefined;
    const widths: number[] = [];
    // Interpolants may land close to an end (after a long overshoot); the shrink test below prevents stalling.
    const margin = 1e-3;
    for (let j = 0; j < maxZoom; j++) {
      const [left, right] = lo.a < hi.a ? [lo.a, hi.a] : [hi.a, lo.a];
      const width = right - left;
      if (width <= 1e-14 * Math.max(1, right)) break;
      const inside = (a: number | undefined, m: number): a is number =>
        a !== undefined && a > left + m * width && a < right - m * width;
      let a: number | undefined;
      if (hi.d !== undefined && Number.isFinite(hi.f)) a = twoSlopeMin(lo, hi);
      else if (previous && Number.isFinite(hi.f) && Number.isFinite(previous.f))
        a = cubicMinThreePoints(lo.a, lo.f, lo.d!, hi.a, hi.f, previous.a, previous.f);
      if (!inside(a, margin)) a = Number.isFinite(hi.f) ? quadraticMin(lo.a, lo.f, lo.d!, hi.a, hi.f) : undefined;
      // Bisect when interpolation is unusable or two trials shrank the bracket by less than 1/3 (MINPACK's safeguard).
      if (!inside(a, margin) || width > 0.66 * (widths[j - 2] ?? Infinity)) a = (left + right) / 2;
      widths.push(width);
      const t: Trial = { a, f: line.value(a) };
      const ts = armijo(t) && t.f < lo.f ? withSlope(t) : approximateDecrease(t, Math.min(phi0, lo.f));
      if (!ts) {
        previous = hi;
        hi = t;
        continue;
      }
      if (curvature(ts.d!)) return accepted(ts);
      // f rises from the trial towards hi: the minimizer lies between lo and the trial, so lo becomes hi.
      const turned = ts.d! * (hi.a - lo.a) >= 0;
      previous = turned ? hi : lo;
      if (turned) hi = lo;
      lo = ts;
    }
    if (lo.a > 0)
      return done(
        false,
        lo,
        `strong Wolfe search stopped in [${Math.min(lo.a, hi.a).toExponential(3)}, ` +
          `${Math.max(lo.a, hi.a).toExponential(3)}] with sufficient decrease but not the curvature condition`,
      );
    return done(
      false,
      origin,
      `no step satisfying the strong Wolfe conditions: the interval of uncertainty shrank to [0, ` +
        `${hi.a.toExponential(3)}] (is the gradient consistent with f?)`,
    );
  };

  // Alg. 3.5: grow the step until it brackets an acceptable one.
  let prev = origin;
  let a = Math.min(alpha0, alphaMax);
  for (let i = 1; i <= maxBracket; i++) {
    const t: Trial = { a, f: line.value(a) };
    const decreased = armijo(t) && !(i > 1 && t.f >= prev.f);
    const aq = decreased && predictCurvature > 0 ? predictedMinimizer(prev, t) : undefined;
    if (aq !== undefined) {
      const q: Trial = { a: aq, f: line.value(aq) };
      const qs = armijo(q) && q.f <= t.f ? withSlope(q) : undefined;
      if (qs && curvature(qs.d!)) return accepted(qs);
      // The model was wrong: carry on at t exactly as Alg. 3.5 would have (the trial at aq is spent).
    }
    const ts = decreased ? withSlope(t) : approximateDecrease(t, Math.min(phi0, prev.f));
    if (!ts) return zoom(prev, t);
    if (curvature(ts.d!)) return accepted(ts);
    if (ts.d! >= 0) return zoom(ts, prev);
    if (a >= alphaMax)
      return done(
        false,
        ts,
        `reached the largest step αmax = ${alphaMax} without meeting the curvature condition (is f bounded below?)`,
      );
    // Extrapolate (MINPACK's bounds): the cubic's minimizer, kept within [a + 1.1(a − a_prev), a + 4(a − a_prev)].
    const step = a - prev.a;
    const cubic = twoSlopeMin(prev, ts);
    const next =
      cubic !== undefined && cubic > a ? Math.min(Math.max(cubic, a + 1.1 * step), a + 4 * step) : a + 4 * step;
    prev = ts;
    a = Math.min(next, alphaMax);
  }
  return done(
    false,
    prev,
    `no step satisfying the strong Wolfe conditions within ${maxBracket} extrapolations (is f bounded below along p?)`,
  );
}
