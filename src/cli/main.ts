import { Command, CommanderError } from "commander";
import { curvatureCommand } from "./curvature.js";
import { diagnoseCommand } from "./diagnose.js";
import { figuresCommand } from "./figures.js";
import { landscapeCommand } from "./landscape.js";
import { isUserFacing } from "./errors.js";
import { Interrupted } from "./interrupt.js";
import { experimentCommand } from "./experiment.js";
import { optimizeCommand } from "./optimize.js";
import { solversBenchmarkCommand } from "./solversBenchmark.js";
import { sweepCommand } from "./sweep.js";
import { trainCommand } from "./train.js";
import { workerCommand } from "./worker.js";

/**
 * Exit codes: 0 success, 2 bad input, a file-system fault or a diverged run (one
 * clear line on stderr), 130 stopped by a signal (checkpointed), 1 internal error.
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command("descent")
    .description("Optimization for training deep models (Deep Learning, ch. 8)")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showSuggestionAfterError();
  const commands = [
    ...[trainCommand(), optimizeCommand(), curvatureCommand(), diagnoseCommand(), experimentCommand()],
    ...[landscapeCommand(), figuresCommand(), solversBenchmarkCommand(), sweepCommand(), workerCommand()],
  ];
  for (const command of commands) program.addCommand(command.exitOverride());
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its one-line message; help and version are not errors.
      return error.exitCode === 0 || error.code === "commander.helpDisplayed" || error.code === "commander.version"
        ? 0
        : 2;
    }
    if (error instanceof Interrupted) {
      process.stderr.write(`descent: ${error.message}\n`);
      return 130;
    }
    if (isUserFacing(error)) {
      process.stderr.write(`descent: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`descent: internal error: ${(error as Error).stack ?? error}\n`);
    return 1;
  }
}
