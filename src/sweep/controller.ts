import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Asha, type AshaJob } from "./asha.js";
import type { Scalar, SweepConfig } from "./config.js";
import { finalLoss, resourceField, trialArgs } from "./command.js";
import { finalRows, Journal, readJournal, type JournalRow } from "./journal.js";
import { Completions } from "./limiter.js";
import type { TrialOutcome } from "./runTrial.js";
import { expandTrials, type Trial } from "./trials.js";

/**
 * Runs one trial's `descent` arguments somewhere (a child process
 * here, a queue worker elsewhere) and returns its outcome.
 */
export type Backend = (job: { id: string; args: string[] }, signal: AbortSignal) => Promise<TrialOutcome>;

export interface SweepRunOptions {
  sweep: SweepConfig;
  dir: string;
  backend: Backend;
  concurrency: number;
  signal?: AbortSignal;
  /** Called after each journal row (progress display). */
  onRow?: (row: JournalRow, finished: number, total: number) => void;
}

export interface SweepRunResult {
  rows: JournalRow[];
  /** Trials that ran in this call (resumed sweeps skip the finished ones). */
  ran: number;
  interrupted: boolean;
}

/**
 * Runs a sweep's unfinished trials, journaling each result; a finished trial (one with a final row) never runs again.
 */
export async function runSweep(opts: SweepRunOptions): Promise<SweepRunResult> {
  const { sweep, dir } = opts;
  mkdirSync(join(dir, "trials"), { recursive: true });
  const journalPath = join(dir, "journal.jsonl");
  const journal = new Journal(journalPath);
  const trials = expandTrials(sweep);
  const finals = finalRows(readJournal(journalPath));
  const signal = opts.signal ?? new AbortController().signal;
  let ran = 0;

  const record = (row: Omit<JournalRow, "time">) => {
    journal.append(row);
    if (row.status !== "rung") finals.set(row.trial, { ...row, time: "" });
    opts.onRow?.({ ...row, time: "" }, finals.size, trials.length);
  };

  const execute = async (trial: Trial, settings: Record<string, Scalar>, outDir: string): Promise<TrialOutcome> => {
    ran++;
    const resume = existsSync(join(outDir, "checkpoint.safetensors"));
    return opts.backend({ id: trial.id, args: trialArgs(sweep.command, settings, outDir, resume) }, signal);
  };

  const schedule = sweep.asha
    ? ashaScheduler(sweep, dir, trials, finals, readJournal(journalPath))
    : plainScheduler(dir, trials, finals);
  const completions = new Completions();
  let running = 0;
  const worker = async () => {
    while (!signal.aborted) {
      const job = schedule.next();
      if (!job) {
        if (running === 0) return;
        await completions.next();
        continue;
      }
      running++;
      const outcome = await execute(job.trial, job.settings, job.outDir);
      running--;
      // A trial killed by Ctrl-C is unfinished, not failed: it reruns (from its checkpoint) on --resume.
      if (!(outcome.ok === false && (outcome.signal || signal.aborted))) schedule.done(job, outcome, record);
      completions.notify();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, worker));
  if (!signal.aborted) schedule.finish(record);
  return { rows: readJournal(journalPath), ran, interrupted: signal.aborted };
}

interface ScheduledJob {
  trial: Trial;
  settings: Record<string, Scalar>;
  outDir: string;
  rung?: number;
}

type Record_ = (row: Omit<JournalRow, "time">) => void;

interface Scheduler {
  next(): ScheduledJob | undefined;
  done(job: ScheduledJob, outcome: TrialOutcome, record: Record_): void;
  finish(record: Record_): void;
}

const outcomeRow = (trial: Trial, outcome: TrialOutcome) =>
  outcome.ok
    ? { trial: trial.id, config: trial.config, status: "completed" as const, metrics: outcome.metrics }
    : { trial: trial.id, config: trial.config, status: "failed" as const, error: outcome.error };

/** Every unfinished trial once, in order. */
function plainScheduler(dir: string, trials: Trial[], finals: Map<string, JournalRow>): Scheduler {
  const queue = trials.filter((t) => !finals.has(t.id));
  return {
    next: () => {
      const trial = queue.shift();
      return trial && { trial, settings: trial.config, outDir: join(dir, "trials", trial.id) };
    },
    done: (job, outcome, record) => record(outcomeRow(job.trial, outcome)),
    finish: () => {},
  };
}

/**
 * ASHA over the trials: rung results are "rung" rows; a trial ends
 * "completed" at the top rung, "pruned" below it, or "failed".
 */
function ashaScheduler(
  sweep: SweepConfig,
  dir: string,
  trials: Trial[],
  finals: Map<string, JournalRow>,
  rows: JournalRow[],
): Scheduler {
  const { eta, minResource, maxResource, metric } = sweep.asha!;
  const asha = new Asha(eta, minResource, maxResource);
  const score = (metrics: Record<string, unknown>) => (metric ? Number(metrics[metric]) : finalLoss(metrics));
  const lastRung = new Map<string, JournalRow>();
  for (const row of rows) {
    if (row.rung === undefined) continue;
    asha.record(row.trial, row.rung, row.status === "failed" ? Infinity : score(row.metrics ?? {}));
    if (row.status === "rung") lastRung.set(row.trial, row);
  }
  const byId = new Map(trials.map((t) => [t.id, t]));
  const fresh = trials.filter((t) => !finals.has(t.id) && asha.rungOf(t.id) < 0);
  const field = resourceField(sweep.command);
  const jobFor = (trial: Trial, rung: number): ScheduledJob => ({
    trial,
    rung,
    settings: { ...trial.config, [field]: asha.resources[rung] },
    outDir: join(dir, "trials", trial.id, `r${rung}`),
  });
  return {
    next: () => {
      let promotion: AshaJob | undefined;
      while ((promotion = asha.nextPromotion()))
        if (!finals.has(promotion.trial)) return jobFor(byId.get(promotion.trial)!, promotion.rung);
      const trial = fresh.shift();
      return trial && jobFor(trial, 0);
    },
    done: (job, outcome, record) => {
      const rung = job.rung!;
      const base = { rung, resource: asha.resources[rung] };
      if (!outcome.ok) {
        asha.record(job.trial.id, rung, Infinity);
        return record({ ...outcomeRow(job.trial, outcome), ...base });
      }
      asha.record(job.trial.id, rung, score(outcome.metrics));
      const row = { trial: job.trial.id, config: job.trial.config, metrics: outcome.metrics, ...base };
      record({ ...row, status: "rung" });
      lastRung.set(job.trial.id, { ...row, status: "rung", time: "" });
      if (rung === asha.topRung) record({ ...row, status: "completed" });
    },
    // Trials left below the top rung when no promotion remains were stopped by ASHA.
    finish: (record) => {
      for (const [trial, row] of lastRung) if (!finals.has(trial)) record({ ...row, status: "pruned" });
    },
  };
}
