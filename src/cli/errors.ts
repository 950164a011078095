import { ZodError } from "zod";
import { RunFolderError } from "../io/runFolder.js";
import { CheckpointError, InvalidRunError, TrainingDivergedError } from "../train/errors.js";
import { ThreadConfigError } from "../engine/index.js";

/** Bad input found by the CLI: it prints the message alone and exits with code 2. */
export class UserError extends Error {
  override name = "UserError";
}

/** Errors the CLI reports as one line with exit code 2: bad input, and library errors about the user's run. */
export const isUserFacing = (error: unknown): error is Error =>
  [
    UserError,
    ZodError,
    TrainingDivergedError,
    CheckpointError,
    InvalidRunError,
    RunFolderError,
    ThreadConfigError,
  ].some((kind) => error instanceof kind);
