import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Command, Option } from "commander";
import {
  QUICK,
  SMALL_LRS,
  SUITE_METHODS,
  SUITES,
  runBenchmark,
  validateBenchmark,
  type BenchmarkConfig,
} from "../benchmark-suite/protocol.js";
import { PROBLEM_NAMES, type ProblemName } from "../benchmark-suite/problems.js";
import { writeBenchmarkReport, benchmarkTable } from "../benchmark-suite/report.js";
import { scoreBenchmark } from "../benchmark-suite/score.js";
import { runSuiteTrial } from "../benchmark-suite/trial.js";
import { startEngine } from "../engine/index.js";
import { writeFileAtomic } from "../io/atomic.js";
import type { Backend } from "../sweep/controller.js";
import type { JournalRow } from "../sweep/journal.js";
import { queueBackend } from "../sweep/queue.js";
import { runDescent } from "../sweep/runTrial.js";
import { integerArg, numberArg } from "./args.js";
import { UserError } from "./errors.js";

const list = (value: string) =>
  value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

export function benchmarkCommand(): Command {
  return new Command("benchmark")
    .description(
      "DeepOBS-style optimizer benchmark: lr tuning on a log grid, reruns on seeds, time-to-target, profiles",
    )
    .addOption(new Option("--suite <name>", "the problem suite").choices(SUITES).default("small"))
    .option("--budget <x>", "multiply every problem's step budget by x", numberArg)
    .option("--methods <list>", `comma-separated (default: ${SUITE_METHODS.join(",")})`, list)
    .option("--problems <list>", `comma-separated (default: ${PROBLEM_NAMES.join(",")})`, list)
    .option("--seeds <k>", "seeds per method; the first tunes the rate (default 3)", integerArg)
    .option("--quick", `a smoke run: rates ${QUICK.lrs.join(", ")}, budget ${QUICK.budget}, ${QUICK.seeds} seeds`)
    .option("--out <dir>", "benchmark directory (journal.jsonl, table.md, performance profiles)", "benchmark-out")
    .option("--resume <dir>", "continue the benchmark in DIR (its benchmark.json); finished runs are not run again")
    .option("--queue <url>", "run the trials on BullMQ at redis://HOST:PORT, consumed by `descent worker` processes")
    .option("--concurrency <n>", "runs in flight (default: one per core; with --queue, 64)", integerArg)
    .option("--json", "print one JSON summary line on stdout and nothing else")
    .action(async (flags) => {
      const { config, dir } = loadConfig(flags);
      const json = Boolean(flags.json);
      let queue: ReturnType<typeof queueBackend> | undefined;
      try {
        queue = flags.queue ? queueBackend(flags.queue) : undefined;
      } catch (error) {
        throw new UserError((error as Error).message);
      }
      const backend: Backend = queue?.backend ?? ((job, signal) => runDescent(job.args, { signal }));
      const abort = new AbortController();
      const onSigint = () => abort.abort();
      process.on("SIGINT", onSigint);
      const onRow = (row: JournalRow) => {
        if (json) return;
        const { problem, method, lr, seed } = row.config;
        const f = row.metrics?.f;
        const result = row.error ?? `f = ${typeof f === "number" ? f.toPrecision(5) : "diverged"}`;
        const rate = lr !== undefined ? ` lr=${lr}` : "";
        process.stderr.write(`${row.status} ${problem} ${method}${rate} seed=${seed}: ${result}\n`);
      };
      let run;
      try {
        await queue?.ready().catch((error: Error) => {
          throw new UserError(error.message);
        });
        const concurrency = flags.concurrency ?? (queue ? 64 : availableParallelism());
        run = await runBenchmark(config, { dir, backend, concurrency, signal: abort.signal, onRow });
      } finally {
        process.off("SIGINT", onSigint);
        await queue?.close();
      }
      if (run.interrupted)
        throw new UserError(
          `benchmark interrupted; the journal is consistent: descent benchmark --resume ${dir} continues`,
        );
      const scores = scoreBenchmark(config, run.rows);
      const written = await writeBenchmarkReport(dir, config, scores);
      // A failed run (not a diverged one: that is a result) is left out of the scores; say so rather than exit 0.
      const failed = run.rows.filter((r) => r.status === "failed");
      if (failed.length)
        throw new UserError(
          `${failed.length} benchmark runs failed (the first: ${failed[0].error}); ` +
            `the report in ${dir} leaves them out`,
        );
      if (json) {
        process.stdout.write(
          JSON.stringify({ dir, ran: run.ran, problems: scores.problems, scores: scores.scores }) + "\n",
        );
        return;
      }
      process.stdout.write(benchmarkTable(scores));
      process.stdout.write(`${run.ran} runs now; wrote ${join(dir, "journal.jsonl")}, ${written.join(", ")}\n`);
    });
}

/** A new benchmark writes DIR/benchmark.json; --resume reads it back (so the same runs are asked for again). */
function loadConfig(flags: Record<string, unknown>): { config: BenchmarkConfig; dir: string } {
  if (flags.resume !== undefined) {
    const dir = String(flags.resume);
    const stored = join(dir, "benchmark.json");
    if (!existsSync(stored))
      throw new UserError(`--resume ${dir}: no benchmark.json there (not a benchmark directory)`);
    return { config: JSON.parse(readFileSync(stored, "utf8")) as BenchmarkConfig, dir };
  }
  const dir = String(flags.out);
  const quick = Boolean(flags.quick);
  let config: BenchmarkConfig;
  try {
    config = validateBenchmark({
      suite: flags.suite as BenchmarkConfig["suite"],
      problems: (flags.problems as ProblemName[] | undefined) ?? [...PROBLEM_NAMES],
      methods: (flags.methods as string[] | undefined) ?? [...SUITE_METHODS],
      lrs: quick ? QUICK.lrs : SMALL_LRS,
      seeds: (flags.seeds as number | undefined) ?? (quick ? QUICK.seeds : 3),
      budget: (flags.budget as number | undefined) ?? (quick ? QUICK.budget : 1),
    });
  } catch (error) {
    throw new UserError((error as Error).message);
  }
  if (existsSync(join(dir, "journal.jsonl")))
    throw new UserError(
      `${dir} already holds a benchmark journal: continue it with --resume ${dir}, or choose another --out`,
    );
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, "benchmark.json"), JSON.stringify(config, null, 2) + "\n");
  return { config, dir };
}

/** One benchmark run (what the sweep's trials execute): prints its result as one JSON line. */
export function benchmarkTrialCommand(): Command {
  return new Command("benchmark-trial")
    .description("one run of `descent benchmark` (a problem, a method, a rate, a seed); used by its sweeps")
    .requiredOption("--problem <name>", PROBLEM_NAMES.join(" | "))
    .requiredOption("--method <name>", SUITE_METHODS.join(" | "))
    .option("--lr <rate>", "learning rate (first-order methods)", numberArg)
    .requiredOption("--seed <n>", "seed of the initialization and the batch order", integerArg)
    .option("--budget <x>", "multiply the problem's step budget by x", numberArg, 1)
    .option("--json", "print one JSON line on stdout and nothing else")
    .action(async (flags) => {
      try {
        validateBenchmark({
          suite: "small",
          problems: [flags.problem],
          methods: [flags.method],
          lrs: [],
          seeds: 1,
          budget: flags.budget,
        });
      } catch (error) {
        throw new UserError((error as Error).message);
      }
      if (flags.method !== "lbfgs" && !(flags.lr > 0))
        throw new UserError(`${flags.method} needs --lr (a positive rate)`);
      await startEngine();
      const result = runSuiteTrial({
        problem: flags.problem,
        method: flags.method,
        lr: flags.lr,
        seed: flags.seed,
        budget: flags.budget,
      });
      process.stdout.write(
        flags.json
          ? JSON.stringify(result) + "\n"
          : `${result.method} on ${result.problem}: f = ${result.f ?? "diverged"} after ` +
              `${result.budgetEpochs} epochs of gradient work (${result.seconds} s)\n`,
      );
    });
}
