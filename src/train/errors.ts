/**
 * A training run that cannot go on because of its settings (too high a rate, no clipping): the CLI exits with code 2.
 */
export class TrainingDivergedError extends Error {
  override name = "TrainingDivergedError";
}

/** A NaN or Inf appeared in the loss or a gradient; `cause` says why it is thought to have happened. */
export class NonFiniteError extends TrainingDivergedError {
  override name = "NonFiniteError";
  constructor(
    readonly step: number,
    readonly culprit: string,
    cause = "lower the learning rate or clip gradients (the steps are too large for this problem)",
  ) {
    super(`non-finite ${culprit} at step ${step}: ${cause}`);
  }
}

/** The loss grew past a bound while staying finite (see DivergenceGuard). */
export class LossDivergedError extends TrainingDivergedError {
  override name = "LossDivergedError";
}

/** A checkpoint that cannot be resumed: wrong format, corrupted, or not this run's: the CLI exits with code 2. */
export class CheckpointError extends Error {
  override name = "CheckpointError";
}

/** Settings the training loop cannot honour, or a run with nothing left to do: the CLI exits with code 2. */
export class InvalidRunError extends Error {
  override name = "InvalidRunError";
}
