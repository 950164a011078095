import { appendFileSync, closeSync, existsSync, fsyncSync, openSync, readFileSync, truncateSync } from "node:fs";
import type { Scalar } from "./config.js";

export type TrialStatus = "completed" | "failed" | "rung" | "pruned";

/** One journal line: a trial event. "rung" rows are ASHA's intermediate results; the other statuses are final. */
export interface JournalRow {
  trial: string;
  config: Record<string, Scalar>;
  status: TrialStatus;
  metrics?: Record<string, unknown>;
  error?: string;
  /** ASHA rung index and its resource (epochs or steps). */
  rung?: number;
  resource?: number;
  attempts?: number;
  time: string;
}

export const FINAL_STATUSES: ReadonlySet<TrialStatus> = new Set(["completed", "failed", "pruned"]);

/** Parses the journal; a torn last line (a crash mid-write) is ignored, a bad line elsewhere is an error. */
export function readJournal(path: string): JournalRow[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, "utf8").split("\n");
  const rows: JournalRow[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      rows.push(JSON.parse(line) as JournalRow);
    } catch (error) {
      const isLast = i === lines.length - 1;
      if (!isLast) throw new Error(`${path} line ${i + 1} is not valid JSON: ${(error as Error).message}`);
    }
  });
  return rows;
}

/** The append-only journal: one full line per event, written with one append and flushed to disk before returning. */
export class Journal {
  constructor(readonly path: string) {
    repairTornTail(path);
  }

  append(row: Omit<JournalRow, "time">): void {
    const fd = openSync(this.path, "a");
    try {
      appendFileSync(fd, JSON.stringify({ ...row, time: new Date().toISOString() }) + "\n");
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

/** Cuts a torn last line (no trailing newline) so the next append starts on a line of its own. */
function repairTornTail(path: string): void {
  if (!existsSync(path)) return;
  const text = readFileSync(path);
  if (text.length === 0 || text[text.length - 1] === 0x0a) return;
  truncateSync(path, text.lastIndexOf(0x0a) + 1);
}

/** The final row of each trial (the first one written wins: a duplicate delivery never counts twice). */
export function finalRows(rows: JournalRow[]): Map<string, JournalRow> {
  const finals = new Map<string, JournalRow>();
  for (const row of rows) if (FINAL_STATUSES.has(row.status) && !finals.has(row.trial)) finals.set(row.trial, row);
  return finals;
}
