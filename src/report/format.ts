/** Number formatting shared by every report and figure: 3–4 significant digits, no float noise. */

/** x to `digits` significant digits, trailing zeros dropped ("0.1905", "1.2e-7", "2466"). */
export function sig(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const magnitude = Math.abs(x);
  if (magnitude >= 1e6 || magnitude < 1e-4) return x.toExponential(digits - 1).replace(/\.?0+e/, "e");
  return String(Number(x.toPrecision(digits)));
}

/** A fraction as a percentage with 3 significant digits ("97.3 %", "0.412 %"). */
export function percent(fraction: number): string {
  return Number.isFinite(fraction) ? `${sig(100 * fraction, 3)} %` : String(fraction);
}

/** A ratio as a factor ("×3.2", "×1.5e-3"): small factors keep their digits rather than rounding to ×0.00. */
export function factor(x: number): string {
  return `×${sig(x, 3)}`;
}

/** d3-format strings for chart axes (Vega-Lite's `format`): 3 significant digits, trailing zeros trimmed. */
export const AXIS_NUMBER = ".3~g";
export const AXIS_PERCENT = ".3~%";
