/**
 * Step-length interpolation (Nocedal & Wright 3.5): minimizers of the polynomials that fit what is
 * known of φ. Each returns undefined when the fit has no usable minimizer.
 */

/** Minimizer of the quadratic through (a, fa) with slope da at a, and (b, fb) (N&W eq. 3.57/3.58). */
export function quadraticMin(a: number, fa: number, da: number, b: number, fb: number): number | undefined {
  const d = b - a;
  const curvature = (fb - fa - da * d) / (d * d);
  if (!(curvature > 0) || !Number.isFinite(curvature)) return undefined;
  const x = a - da / (2 * curvature);
  return Number.isFinite(x) ? x : undefined;
}

/** Minimizer of the cubic with values and slopes at a and b (N&W eq. 3.59). */
export function cubicMinTwoSlopes(
  a: number,
  fa: number,
  da: number,
  b: number,
  fb: number,
  db: number,
): number | undefined {
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - da * db;
  if (!(disc >= 0)) return undefined;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  const x = b - (b - a) * ((db + d2 - d1) / (db - da + 2 * d2));
  return Number.isFinite(x) ? x : undefined;
}

/**
 * Minimizer of the cubic through (a, fa) with slope da, (b, fb) and (c, fc): three values and one
 * slope (what a zoom knows when the high end failed sufficient decrease; SciPy's cubicmin).
 */
export function cubicMinThreePoints(
  a: number,
  fa: number,
  da: number,
  b: number,
  fb: number,
  c: number,
  fc: number,
): number | undefined {
  const db = b - a;
  const dc = c - a;
  const denom = (db * dc) ** 2 * (db - dc);
  if (denom === 0 || !Number.isFinite(denom)) return undefined;
  const rb = fb - fa - da * db;
  const rc = fc - fa - da * dc;
  const A = (dc * dc * rb - db * db * rc) / denom;
  const B = (-dc * dc * dc * rb + db * db * db * rc) / denom;
  if (A === 0) return undefined;
  const radical = B * B - 3 * A * da;
  if (!(radical >= 0)) return undefined;
  const x = a + (-B + Math.sqrt(radical)) / (3 * A);
  return Number.isFinite(x) ? x : undefined;
}

/** Zero of the line through (a, da) and (b, db): the secant step on φ' (exact for a quadratic φ). */
export function secantMin(a: number, da: number, b: number, db: number): number | undefined {
  const x = a - (da * (b - a)) / (db - da);
  return Number.isFinite(x) ? x : undefined;
}
