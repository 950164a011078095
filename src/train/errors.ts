/** A training run that cannot go on because of its settings (too high a rate, no clipping): the CLI exits with code 2. */
export class TrainingDivergedError extends Error {
  override name = "TrainingDivergedError";
}

/** A NaN or Inf appeared in the loss or a gradient. */
export class NonFiniteError extends TrainingDivergedError {
  override name = "NonFiniteError";
  constructor(
    readonly step: number,
    readonly culprit: string,
  ) {
    super(`non-finite ${culprit} at step ${step}: lower the learning rate (--lr) or clip gradients`);
  }
}

/** The loss grew past a bound while staying finite (see DivergenceGuard). */
export class LossDivergedError extends TrainingDivergedError {
  override name = "LossDivergedError";
}
