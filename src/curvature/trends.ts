/**
 * Does a run show the pattern of the book's Figure 8.1: the gradient norm growing over training
 * while the classification error falls (so the run is not near a critical point, and what slows
 * it is the curvature term ½ε²gᵀHg)? Compares the first and last quarter of a series.
 */

export interface Trend {
  start: number;
  end: number;
  /** end / start. */
  ratio: number;
}

/** Mean of the first and of the last quarter (at least one point each) of `values`. */
export function trend(values: number[]): Trend | null {
  const finite = values.filter(Number.isFinite);
  if (finite.length < 2) return null;
  const q = Math.max(1, Math.floor(finite.length / 4));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const start = mean(finite.slice(0, q));
  const end = mean(finite.slice(-q));
  return { start, end, ratio: end / start };
}

export interface Figure81Verdict {
  gradNorm: Trend | null;
  error: Trend | null;
  /** gᵀHg, when measured: the text of 8.2.1 has it growing by more than an order of magnitude. */
  gHg: Trend | null;
  /** ‖g‖ grew by at least `growth` while the error fell. */
  shown: boolean;
  text: string;
}

/** The verdict on gradient norms and errors sampled over a run (in step order). */
export function figure81Verdict(
  gradNorms: number[],
  errors: number[],
  what: { gradient: string; error: string },
  gHg: number[] = [],
  growth = 1.2,
): Figure81Verdict {
  const g = trend(gradNorms);
  const e = trend(errors);
  const c = trend(gHg);
  if (!g || !e)
    return {
      gradNorm: g,
      error: e,
      gHg: c,
      shown: false,
      text: "not enough measurements to compare the start and the end of the run",
    };
  const shown = g.ratio >= growth && e.end < e.start;
  const describe = (t: Trend, digits: number) => `${t.start.toPrecision(digits)} → ${t.end.toPrecision(digits)}`;
  // Three significant digits: a ratio of 0.003 must not print as ×0.00.
  const times = (ratio: number) => `×${Number(ratio.toPrecision(3))}`;
  const text =
    `${what.gradient}: ${describe(g, 3)} (${times(g.ratio)}); ${what.error}: ${describe(e, 3)} (first vs last ` +
    `quarter of the run). ` +
    (shown
      ? "The gradient norm grew while the error fell: the pattern of Figure 8.1."
      : g.ratio >= growth
        ? "The gradient norm grew, but the error did not fall: not the pattern of Figure 8.1."
        : "The gradient norm did not grow by 20% or more: this run does not show the pattern of Figure 8.1.") +
    (c ? ` gᵀHg on the probe batch: ${describe(c, 3)} (${times(c.ratio)}).` : "");
  return { gradNorm: g, error: e, gHg: c, shown, text };
}
