import { LossDivergedError, NonFiniteError } from "./errors.js";
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

/**
 * Stops a run whose loss has blown up while staying finite (Adam with a huge rate saturates at
 * ~1e20 instead of overflowing): a loss above `factor` times the first minibatch loss.
 */
export class DivergenceGuard {
  private first: number | undefined;
  constructor(readonly factor = 1e4) {}

  check(loss: number, step: number): void {
    this.first ??= Math.max(Math.abs(loss), 1e-3);
    if (Math.abs(loss) > this.factor * this.first) {
      throw new LossDivergedError(
        `loss diverged at step ${step}: ${loss.toPrecision(3)}, more than ${this.factor.toExponential(0)} times the first minibatch's ${this.first.toPrecision(3)}: lower the learning rate (--lr) or clip gradients`,
      );
    }
  }
}
