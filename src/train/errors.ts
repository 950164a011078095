/** Bad input or a diverged run: the CLI prints the message alone and exits with code 2. */
export class UserError extends Error {
  override name = "UserError";
}

/** A NaN or Inf appeared in the loss or a gradient. */
export class NonFiniteError extends UserError {
  override name = "NonFiniteError";
  constructor(
    readonly step: number,
    readonly culprit: string,
  ) {
    super(`non-finite ${culprit} at step ${step}: lower the learning rate (--lr) or clip gradients`);
  }
}
