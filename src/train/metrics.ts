import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { writeFileAtomic } from "../io/atomic.js";
import { CheckpointError } from "./errors.js";

/**
 * One metrics line; a last line without its newline (a crash or a full disk mid-write) is dropped,
 * while a malformed complete line means the file was edited or is not ours.
 */
function parseLine(line: string, unterminated: boolean, path: string, lineNumber: number): MetricsRecord | undefined {
  try {
    return JSON.parse(line) as MetricsRecord;
  } catch {
    if (unterminated) return undefined;
    throw new CheckpointError(`${path}: line ${lineNumber} is not valid JSON; the run's metrics cannot be continued`);
  }
}

/** One line of metrics.jsonl. */
export type MetricsRecord = { type: "epoch" | "test" | "stopped"; step: number; epoch: number } & Record<
  string,
  number | string | boolean | null
>;

/** Appends JSON lines; on resume, drops the lines an interrupted run wrote after its last checkpoint. */
export class MetricsLog {
  constructor(readonly path: string | undefined) {}

  start(resumeStep: number | undefined): void {
    if (!this.path) return;
    if (resumeStep === undefined || !existsSync(this.path)) {
      writeFileAtomic(this.path, "");
      return;
    }
    const lines = readFileSync(this.path, "utf8").split("\n");
    const kept = lines.filter((line, i) => {
      if (!line.trim()) return false;
      const record = parseLine(line, i === lines.length - 1, this.path!, i + 1);
      return record?.type === "epoch" && record.step <= resumeStep;
    });
    writeFileAtomic(this.path, kept.map((l) => l + "\n").join(""));
  }

  write(record: MetricsRecord): void {
    if (this.path) appendFileSync(this.path, JSON.stringify(record) + "\n");
  }
}
