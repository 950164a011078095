import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import cliProgress from "cli-progress";
import { writeFileAtomic } from "../io/atomic.js";
import { runSweep, type Backend, type SweepRunResult } from "../sweep/controller.js";
import { queueBackend } from "../sweep/queue.js";
import { expandTrials } from "../sweep/trials.js";
import { sweepConfigSchema, type SweepConfig } from "../sweep/config.js";
import { finalRows, type JournalRow } from "../sweep/journal.js";
import { sweepReport } from "../sweep/report.js";
import { runDescent } from "../sweep/runTrial.js";
import { integerArg } from "./args.js";
import { readJsonObject } from "./configFile.js";
import { UserError } from "./errors.js";
import { describeZodError } from "./trainConfig.js";

export function sweepCommand(): Command {
  return new Command("sweep")
    .description("run many train/optimize trials (grid, random, seeds, ASHA) in parallel, journaled and resumable")
    .option("--config <file>", "sweep config JSON (docs/sweeps.md)")
    .option("--out <dir>", "sweep directory (journal.jsonl, trials/, summary.md, lr-sensitivity.svg)", "sweep-out")
    .option("--resume <dir>", "continue the sweep in DIR (its sweep.json); finished trials are not run again")
    .option("--queue <url>", "run the trials on BullMQ at redis://HOST:PORT, consumed by `descent worker` processes")
    .option("--attach <dir>", "re-attach to the queue sweep in DIR (as --resume, with its stored --queue)")
    .option("--concurrency <n>", "trials in flight (default: one per core; with --queue, every trial)", integerArg)
    .option("--json", "print one JSON summary line on stdout and nothing else")
    .action(async (flags) => {
      const { sweep, dir } = loadSweep({ ...flags, resume: flags.resume ?? flags.attach });
      const queueUrl = queueOf(dir, flags.queue, flags.attach !== undefined);
      const json = Boolean(flags.json);
      const concurrency =
        flags.concurrency ?? sweep.concurrency ?? (queueUrl ? Number.MAX_SAFE_INTEGER : availableParallelism());
      let queue: ReturnType<typeof queueBackend> | undefined;
      try {
        queue = queueUrl ? queueBackend(queueUrl) : undefined;
      } catch (error) {
        throw new UserError((error as Error).message);
      }
      const backend: Backend = queue?.backend ?? ((job, signal) => runDescent(job.args, { signal }));
      let result;
      try {
        await queue?.ready().catch((error: Error) => {
          throw new UserError(error.message);
        });
        result = await runWithProgress(sweep, dir, Math.min(concurrency, expandTrials(sweep).length), backend, json);
      } finally {
        await queue?.close();
      }
      if (result.interrupted)
        throw new UserError(`sweep interrupted; the journal is consistent: descent sweep --resume ${dir} continues`);
      const report = await sweepReport(sweep.command, dir, result.rows);
      writeFileAtomic(join(dir, "summary.md"), report.table);
      if (report.lrChartSvg) writeFileAtomic(join(dir, "lr-sensitivity.svg"), report.lrChartSvg);
      if (report.curvesSvg) writeFileAtomic(join(dir, "best-curves.svg"), report.curvesSvg);
      const counts = countStatuses(result.rows);
      if (json) {
        process.stdout.write(JSON.stringify({ dir, ran: result.ran, ...counts, best: report.best }) + "\n");
        return;
      }
      process.stdout.write(report.table);
      process.stdout.write(
        `${counts.completed} completed, ${counts.failed} failed, ${counts.pruned} pruned (${result.ran} run now); ` +
          `wrote ${join(dir, "journal.jsonl")}, ${join(dir, "summary.md")}` +
          `${report.lrChartSvg ? `, ${join(dir, "lr-sensitivity.svg")}` : ""}` +
          `${report.curvesSvg ? `, ${join(dir, "best-curves.svg")}` : ""}\n`,
      );
    });
}

/** The sweep config and its directory: a new sweep writes DIR/sweep.json; --resume reads it back. */
function loadSweep(flags: { config?: string; out: string; resume?: string }): { sweep: SweepConfig; dir: string } {
  const dir = flags.resume ?? flags.out;
  const stored = join(dir, "sweep.json");
  if (flags.resume !== undefined) {
    if (!existsSync(stored)) throw new UserError(`--resume ${dir}: no sweep.json there (not a sweep directory)`);
    return { sweep: parseSweep(JSON.parse(readFileSync(stored, "utf8")), stored), dir };
  }
  if (flags.config === undefined) throw new UserError("sweep needs --config FILE (or --resume DIR)");
  const sweep = parseSweep(readJsonObject(flags.config, "sweep config"), flags.config);
  if (existsSync(join(dir, "journal.jsonl")))
    throw new UserError(
      `${dir} already holds a sweep journal: continue it with --resume ${dir}, or choose another --out`,
    );
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(stored, JSON.stringify(sweep, null, 2) + "\n");
  return { sweep, dir };
}

/** The queue of a sweep: --queue (stored in DIR/queue.json for --attach), or the stored one when attaching. */
function queueOf(dir: string, queue: string | undefined, attach: boolean): string | undefined {
  const stored = join(dir, "queue.json");
  if (queue !== undefined) {
    writeFileAtomic(stored, JSON.stringify({ url: queue }) + "\n");
    return queue;
  }
  if (!attach) return undefined;
  if (!existsSync(stored))
    throw new UserError(`--attach ${dir}: that sweep did not run on a queue (no queue.json); use --resume`);
  return (JSON.parse(readFileSync(stored, "utf8")) as { url: string }).url;
}

function parseSweep(value: unknown, source: string): SweepConfig {
  const parsed = sweepConfigSchema.safeParse(value);
  if (!parsed.success) throw new UserError(describeZodError(parsed.error, `sweep config ${source}`));
  return parsed.data;
}

/** Runs the sweep with a progress bar over trials (TTY) or one stderr line per trial; Ctrl-C stops it cleanly. */
async function runWithProgress(
  sweep: SweepConfig,
  dir: string,
  concurrency: number,
  backend: Backend,
  json: boolean,
): Promise<SweepRunResult> {
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.on("SIGINT", onSigint);
  const bar =
    !json && process.stderr.isTTY
      ? new cliProgress.SingleBar(
          { format: "sweep |{bar}| {value}/{total} trials | {last}", stream: process.stderr, hideCursor: true },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  let started = false;
  const onRow = (row: JournalRow, finished: number, total: number) => {
    const last = `${row.trial} ${row.status}${row.rung !== undefined ? ` r${row.rung}` : ""}`;
    if (bar) {
      if (!started) bar.start(total, finished, { last });
      started = true;
      bar.update(finished, { last });
    } else if (!json) {
      process.stderr.write(
        `[${finished}/${total}] ${last}${row.error ? `: ${row.error}` : ""} ` +
          `${row.metrics ? JSON.stringify(row.config) : ""}\n`,
      );
    }
  };
  try {
    return await runSweep({ sweep, dir, concurrency, backend, signal: abort.signal, onRow });
  } finally {
    bar?.stop();
    process.off("SIGINT", onSigint);
  }
}

function countStatuses(rows: JournalRow[]) {
  const finals = [...finalRows(rows).values()];
  const count = (status: string) => finals.filter((row) => row.status === status).length;
  return { completed: count("completed"), failed: count("failed"), pruned: count("pruned") };
}
