import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { finalRows, type JournalRow } from "./journal.js";
import { seriesName, type SettingSummary } from "./summary.js";

/** The metrics file of a completed train trial (the top rung's folder under ASHA). */
function metricsPath(dir: string, row: JournalRow): string {
  const base = join(dir, "trials", row.trial);
  return row.rung !== undefined ? join(base, `r${row.rung}`, "metrics.jsonl") : join(base, "metrics.jsonl");
}

/**
 * Training-loss curves (per epoch) of each method's best setting, first seed, read from the trials' metrics.jsonl:
 * rows {epoch, [method]: trainLoss}. Empty for optimize sweeps (their trials write no curves).
 */
export function bestCurveRows(
  dir: string,
  rows: JournalRow[],
  best: SettingSummary[],
): { rows: Record<string, number | null>[]; methods: string[] } {
  const completed = [...finalRows(rows).values()].filter((r) => r.status === "completed");
  const byEpoch = new Map<number, Record<string, number | null>>();
  const methods: string[] = [];
  for (const setting of best) {
    const same = completed
      .filter((r) => Object.entries(setting.setting).every(([k, v]) => r.config[k] === v))
      .sort((a, b) => Number(a.config.seed) - Number(b.config.seed));
    const path = same.length ? metricsPath(dir, same[0]) : undefined;
    if (!path || !existsSync(path)) continue;
    const series = seriesName(setting.method);
    methods.push(series);
    for (const line of readFileSync(path, "utf8").split("\n").filter(Boolean)) {
      const record = JSON.parse(line) as { type?: string; epoch?: number; trainLoss?: number };
      if (record.type !== "epoch" || record.epoch === undefined) continue;
      const row = byEpoch.get(record.epoch) ?? { epoch: record.epoch };
      row[series] = record.trainLoss ?? null;
      byEpoch.set(record.epoch, row);
    }
  }
  const curveRows = [...byEpoch.values()]
    .sort((a, b) => a.epoch! - b.epoch!)
    .map((r) => ({ ...Object.fromEntries(methods.map((m) => [m, null])), ...r }));
  return { rows: curveRows, methods };
}
