import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { writeFileAtomic } from "../io/atomic.js";

/** One line of metrics.jsonl. */
export type MetricsRecord = { type: "epoch" | "test" | "stopped"; step: number; epoch: number } & Record<string, number | string | boolean | null>;

/** Appends JSON lines; on resume, drops the lines an interrupted run wrote after its last checkpoint. */
export class MetricsLog {
  constructor(readonly path: string | undefined) {}

  start(resumeStep: number | undefined): void {
    if (!this.path) return;
    if (resumeStep === undefined || !existsSync(this.path)) {
      writeFileAtomic(this.path, "");
      return;
    }
    const kept = readFileSync(this.path, "utf8")
      .split("\n")
      .filter((line) => line.trim() && JSON.parse(line).type === "epoch" && JSON.parse(line).step <= resumeStep);
    writeFileAtomic(this.path, kept.map((l) => l + "\n").join(""));
  }

  write(record: MetricsRecord): void {
    if (this.path) appendFileSync(this.path, JSON.stringify(record) + "\n");
  }
}
