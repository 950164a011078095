/** Bad input or a diverged run: the CLI prints the message alone and exits with code 2. */
export class UserError extends Error {
  override name = "UserError";
}

/** A checkpoint that cannot be resumed: wrong format, corrupted, or not this run's. */
export class CheckpointError extends UserError {
  override name = "CheckpointError";
}

/** A NaN or Inf appeared in the loss or a gradient; `cause` says why it is thought to have happened. */
export class NonFiniteError extends UserError {
  override name = "NonFiniteError";
  constructor(
    readonly step: number,
    readonly culprit: string,
    cause = "lower the learning rate or clip gradients (the steps are too large for this problem)",
  ) {
    super(`non-finite ${culprit} at step ${step}: ${cause}`);
  }
}
