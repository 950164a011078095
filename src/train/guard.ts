import { LossDivergedError, NonFiniteError } from "./errors.js";
import type { StepStats } from "./step.js";

/**
 * Throws NonFiniteError naming the step, the first parameter whose gradient is not finite, and the
 * likely cause (`cause`, from nonFiniteCause; the step size when none is known).
 */
export function assertFinite(
  stats: StepStats,
  step: number,
  paramPaths: string[],
  cause?: () => string | undefined,
): void {
  if (Number.isFinite(stats.loss) && stats.gradNormSq.every(Number.isFinite)) return;
  const describe = (v: number) => (Number.isNaN(v) ? "NaN" : "Inf");
  const bad = stats.gradNormSq.findIndex((v) => !Number.isFinite(v));
  const parts: string[] = [];
  if (!Number.isFinite(stats.loss)) parts.push(`loss (${describe(stats.loss)})`);
  if (bad >= 0) parts.push(`gradient of parameter "${paramPaths[bad]}" (${describe(stats.gradNormSq[bad])})`);
  throw new NonFiniteError(step, parts.join(" and "), cause?.());
}

/**
 * Why a step's loss is not finite when it is not the step size: a non-finite value in the minibatch
 * (named by its training-set index), or, on the first step (no update applied yet), the initialization.
 */
export function nonFiniteCause(
  batch: { x: ArrayLike<number>; y: ArrayLike<number> },
  indices: ArrayLike<number>,
  firstStep: boolean,
): string | undefined {
  for (const [name, values] of [
    ["input", batch.x],
    ["target", batch.y],
  ] as const) {
    const per = values.length / indices.length;
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i]))
        return (
          `the data holds ${values[i]}: ${name} value ${i % per} of training example ` +
          `${indices[Math.floor(i / per)]}`
        );
    }
  }
  return firstStep
    ? "it is not finite at the initial parameters, before any update: the initialization (or values too large for " +
        "the dtype) is the cause"
    : undefined;
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
        `loss diverged at step ${step}: ${loss.toPrecision(3)}, more than ${this.factor.toExponential(0)} times the ` +
          `first minibatch's ${this.first.toPrecision(3)}: lower the learning rate or clip gradients`,
      );
    }
  }
}
