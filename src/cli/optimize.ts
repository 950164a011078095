import { Command, Option } from "commander";
import { precisionOf, startEngine } from "../engine/index.js";
import { existsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { describeFsError } from "../io/runFolder.js";
import { methodByName } from "../methods/index.js";
import { loadAnyProblem } from "../problems/index.js";
import { UserError } from "./errors.js";
import { integerArg, numberArg } from "./args.js";
import { ReportingObjective } from "./optimizeProgress.js";

export function optimizeCommand(): Command {
  return new Command("optimize")
    .description("run one optimizer or solver on a problem (built-in or a JSON spec) and report SciPy-style counts")
    .requiredOption(
      "--problem <name|file>",
      "rosenbrock | quadratic | beale | saddle | himmelblau | coupled | mgh:NAME | FILE.json[#ENTRY] | objective " +
        "module FILE.mjs/.js/.ts (default export { x0, f(x, np) })",
    )
    .requiredOption("--method <name>", "e.g. book.adam, torch.SGD, bfgs (see --help of each issue's docs)")
    .option("--config <json>", "method settings as a JSON object (keys as in the reference files)")
    .option("--steps <k>", "run exactly k steps (first-order methods)", integerArg)
    .option("--max-iter <n>", "iteration cap (solvers)", integerArg)
    .option("--tol <tol>", "stop when ‖g‖₂ <= tol (solvers)", numberArg)
    .option("--dim <n>", "dimension of rosenbrock / quadratic", integerArg)
    .option("--cond <c>", "condition number of the built-in quadratic", numberArg)
    .option("--seed <n>", "seed of the built-in quadratic", integerArg)
    .addOption(
      new Option(
        "--dtype <dtype>",
        "float64 is exact (on Wasm; exp/log within 1 ulp); float64-fast is its former name (an alias); " +
          "float32 is fast",
      )
        .choices(["float32", "float64", "float64-fast"])
        .default("float64"),
    )
    .option("--trajectory <file>", 'write {"trajectory": [θ after step 1, …]} to this file')
    .option("--json", "print one JSON line on stdout and nothing else")
    .action(async (flags) => {
      if (flags.trajectory) assertWritableFolder(flags.trajectory);
      await startEngine();
      const precision = precisionOf(flags.dtype);
      let config: Record<string, unknown> = {};
      if (flags.config !== undefined) {
        try {
          config = JSON.parse(flags.config);
        } catch (error) {
          throw new UserError(`--config is not valid JSON: ${(error as Error).message}`);
        }
        if (typeof config !== "object" || config === null || Array.isArray(config))
          throw new UserError("--config must be a JSON object");
      }
      let method;
      let loaded;
      try {
        method = methodByName(flags.method);
        // The built-in quadratic's eigenbasis costs O(dim³) on the host: say so before a long wait.
        if (flags.problem === "quadratic" && flags.dim >= 300)
          phase(`building the ${flags.dim}-dimensional quadratic (its orthogonal eigenbasis takes O(dim³) host work)`);
        loaded = await loadAnyProblem(flags.problem, { dim: flags.dim, cond: flags.cond, seed: flags.seed, precision });
      } catch (error) {
        throw new UserError((error as Error).message);
      }
      const objective = new ReportingObjective(loaded.problem, precision);
      objective.plannedSteps = flags.steps;
      const started = performance.now();
      let result;
      try {
        result = method.run(objective, Float64Array.from(loaded.problem.x0), config, {
          steps: flags.steps,
          maxIter: flags.maxIter,
          tol: flags.tol,
          recordTrajectory: Boolean(flags.trajectory),
        });
      } catch (error) {
        throw new UserError(`${flags.method} on ${loaded.problem.name}: ${(error as Error).message}`);
      }
      const seconds = (performance.now() - started) / 1000;
      if (flags.trajectory) {
        try {
          writeFileAtomic(
            flags.trajectory,
            JSON.stringify({ trajectory: (result.trajectory ?? []).map((t) => Array.from(t)) }) + "\n",
          );
        } catch (error) {
          throw new UserError(`--trajectory: ${describeFsError(error, "write") ?? (error as Error).message}`);
        }
      }
      const summary = {
        method: flags.method,
        problem: loaded.problem.name,
        iterations: result.iterations,
        fevals: result.fevals,
        gevals: result.gevals,
        hevals: result.hevals,
        // Hessian-vector products, for the methods that count them (solvers).
        ...(result.hvps !== undefined ? { hvps: result.hvps } : {}),
        f: result.f,
        gradNorm: result.gradNorm,
        converged: result.converged,
        status: result.status,
        message: result.message,
        seconds: Math.round(seconds * 1e4) / 1e4,
      };
      objective.dispose();
      loaded.problem.dispose();
      if (flags.json) {
        process.stdout.write(JSON.stringify(summary) + "\n");
        return;
      }
      process.stdout.write(
        `${summary.method} on ${summary.problem}: f = ${summary.f.toPrecision(10)}, ‖g‖ = ` +
          `${summary.gradNorm.toExponential(3)} after ${summary.iterations} iterations ` +
          `(${summary.fevals} f, ${summary.gevals} ∇f, ${summary.hevals} ∇²f evaluations` +
          `${"hvps" in summary && summary.hvps ? `, ${summary.hvps} Hessian-vector products` : ""}) in ` +
          `${summary.seconds} s — ` +
          `${summary.message}\n`,
      );
    });
}

/** Fails before the run when --trajectory could not be written: its folder must exist. */
function assertWritableFolder(file: string): void {
  const folder = dirname(file);
  if (!existsSync(folder)) throw new UserError(`--trajectory ${file}: the folder ${folder} does not exist`);
  if (!statSync(folder).isDirectory()) throw new UserError(`--trajectory ${file}: ${folder} is a file, not a folder`);
  if (existsSync(file) && statSync(file).isDirectory())
    throw new UserError(`--trajectory ${file} is a folder; give a file name`);
}

const commandStarted = performance.now();
/** One line per phase on stderr (stdout stays for the result, and for --json's one line). */
function phase(text: string): void {
  process.stderr.write(`[${((performance.now() - commandStarted) / 1000).toFixed(1)} s] ${text}\n`);
}
