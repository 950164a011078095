import { NonFiniteError } from "./errors.js";
import type { StepStats } from "./step.js";

/** Throws NonFiniteError naming the step and the first parameter whose gradient is not finite. */
export function assertFinite(stats: StepStats, step: number, paramPaths: string[]): void {
  if (Number.isFinite(stats.loss) && stats.gradNormSq.every(Number.isFinite)) return;
  const describe = (v: number) => (Number.isNaN(v) ? "NaN" : "Inf");
  const bad = stats.gradNormSq.findIndex((v) => !Number.isFinite(v));
  const parts: string[] = [];
  if (!Number.isFinite(stats.loss)) parts.push(`loss (${describe(stats.loss)})`);
  if (bad >= 0) parts.push(`gradient of parameter "${paramPaths[bad]}" (${describe(stats.gradNormSq[bad])})`);
  throw new NonFiniteError(step, parts.join(" and "));
}
