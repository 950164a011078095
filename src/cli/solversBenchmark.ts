import { Command, Option } from "commander";
import cliProgress from "cli-progress";
import { DEFAULT_METHODS, runSuite, type SuiteName } from "../benchmark/suite.js";
import { markdownTable, summary, tableRows, writeReport } from "../benchmark/report.js";
import { startEngine } from "../engine/index.js";
import { allMethods } from "../methods/index.js";
import { UserError } from "./errors.js";
import { integerArg, numberArg } from "./args.js";

const list = (value: string) =>
  value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

function scalesArg(value: string): number[] {
  const scales = list(value).map(Number);
  if (!scales.length || scales.some((s) => !(Number.isFinite(s) && s > 0)))
    throw new UserError(`--scales must be positive numbers separated by commas, got "${value}"`);
  return scales;
}

export function solversBenchmarkCommand(): Command {
  return new Command("solvers-benchmark")
    .description(
      "every solver on the Moré–Garbow–Hillstrom set and SciPy's benchmark set, beside SciPy's BFGS, L-BFGS-B, CG " +
        "and Newton-CG; performance and data profiles",
    )
    .addOption(new Option("--suite <suite>", "which problems").choices(["mgh", "scipy", "all"]).default("mgh"))
    .option("--methods <list>", `solvers, comma-separated (default ${DEFAULT_METHODS.join(",")})`)
    .option("--scales <list>", "MGH start scalings x0, 10·x0, 100·x0", "1,10,100")
    .option("--seed <n>", "seed of the SciPy set's random starts", integerArg, 0)
    .option(
      "--tol <tol>",
      "stop when ‖g‖₂ <= tol (default 1e-8; SciPy run live gets gtol = tol, the committed SciPy results used 1e-8)",
      numberArg,
    )
    .option("--quick", "a small subset (CI): six MGH problems from x0 and one start per SciPy problem")
    .option("--no-scipy", "skip SciPy (neither live nor the committed results)")
    .option("--out <dir>", "write results.json, table.md and the profiles (SVG + Vega-Lite) here")
    .option("--json", "print one JSON line on stdout and nothing else")
    .action(async (flags) => {
      const methods = flags.methods === undefined ? DEFAULT_METHODS : list(flags.methods);
      const known = allMethods();
      const unknown = methods.filter((m) => !(m in known));
      if (unknown.length)
        throw new UserError(
          `--methods: unknown method${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} (available: ` +
            `${Object.keys(known).sort().join(", ")})`,
        );
      const scales = scalesArg(flags.scales);
      if (flags.tol !== undefined && !(flags.tol > 0)) throw new UserError(`--tol must be > 0, got ${flags.tol}`);
      await startEngine();
      const bar =
        process.stderr.isTTY && !flags.json
          ? new cliProgress.SingleBar(
              { format: "solvers |{bar}| {value}/{total} | {label}", stream: process.stderr, hideCursor: true },
              cliProgress.Presets.shades_classic,
            )
          : undefined;
      const result = runSuite({
        suite: flags.suite as SuiteName,
        methods,
        scales,
        seed: flags.seed,
        quick: Boolean(flags.quick),
        tol: flags.tol,
        scipy: flags.scipy,
        onProgress: (done, total, label) =>
          done === 1 ? bar?.start(total, done, { label }) : bar?.update(done, { label }),
      });
      bar?.stop();
      const totals = summary(result);
      const files = flags.out
        ? await writeReport(
            flags.out,
            result,
            flags.suite === "all" ? "MGH + SciPy sets" : flags.suite === "mgh" ? "MGH set" : "SciPy set",
            { "quasi-newton": ["bfgs", "lbfgs", "scipy.BFGS", "scipy.L-BFGS-B"] },
          )
        : [];
      const scipyNote = result.scipy
        ? `SciPy ${result.scipy.scipy} (${result.scipy.source === "live" ? "run live" : "committed results"}` +
          `${result.scipy.missing.length ? `; ${result.scipy.missing.length} cases not covered` : ""})`
        : "no SciPy";
      if (flags.json) {
        process.stdout.write(
          JSON.stringify({
            suite: flags.suite,
            cases: result.cases.length,
            methods,
            scipy: result.scipy
              ? { version: result.scipy.scipy, source: result.scipy.source, missing: result.scipy.missing }
              : null,
            summary: totals,
            files,
          }) + "\n",
        );
        return;
      }
      process.stdout.write(markdownTable(tableRows(result)));
      process.stdout.write(`\n${result.cases.length} cases; ${scipyNote}. Solved (f − f* <= τ(f(x0) − f*)):\n`);
      for (const s of totals)
        process.stdout.write(
          `  ${s.solver.padEnd(16)} τ=1e-3: ${String(s.solved[0]).padStart(3)}/${s.problems}  τ=1e-7: ` +
            `${String(s.solved[1]).padStart(3)}/${s.problems}  ∇f evaluations: ${s.gevals}\n`,
        );
      if (files.length) process.stdout.write(`wrote ${files.length} files to ${flags.out}\n`);
    });
}
