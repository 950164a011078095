import type { SweepCommand } from "./command.js";
import { finalLoss } from "./command.js";
import type { Scalar } from "./config.js";
import { finalRows, type JournalRow } from "./journal.js";

/** One setting (a trial config without its seed) with its final loss over seeds. */
export interface SettingSummary {
  method: string;
  setting: Record<string, Scalar>;
  lr: number | null;
  seeds: number;
  mean: number;
  std: number;
}

const methodKey = (command: SweepCommand) => (command === "train" ? "optimizer" : "method");

/** Sample standard deviation (0 for one seed). */
function meanStd(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, std: Math.sqrt(variance) };
}

/** Groups the completed trials by setting (config minus seed): mean ± std of the final loss over seeds. */
export function summarizeSettings(command: SweepCommand, rows: JournalRow[]): SettingSummary[] {
  const groups = new Map<string, { setting: Record<string, Scalar>; losses: number[] }>();
  for (const row of finalRows(rows).values()) {
    if (row.status !== "completed") continue;
    const { seed: _seed, ...setting } = row.config;
    const key = JSON.stringify(Object.entries(setting).sort(([a], [b]) => (a < b ? -1 : 1)));
    const group = groups.get(key) ?? { setting, losses: [] };
    group.losses.push(finalLoss(row.metrics ?? {}));
    groups.set(key, group);
  }
  return [...groups.values()].map(({ setting, losses }) => ({
    method: String(setting[methodKey(command)] ?? "default"),
    setting,
    lr: typeof setting.lr === "number" ? setting.lr : null,
    seeds: losses.length,
    ...meanStd(losses),
  }));
}

/** The setting with the lowest mean final loss, per method (NaN means rank last). */
export function bestPerMethod(settings: SettingSummary[]): SettingSummary[] {
  const best = new Map<string, SettingSummary>();
  const rank = (s: SettingSummary) => (Number.isFinite(s.mean) ? s.mean : Infinity);
  for (const s of settings) if (!best.has(s.method) || rank(s) < rank(best.get(s.method)!)) best.set(s.method, s);
  return [...best.values()].sort((a, b) => rank(a) - rank(b));
}

/** The summary table as Markdown: best setting per method, final loss mean ± std over seeds. */
export function summaryTable(best: SettingSummary[]): string {
  const lines = ["| method | lr | final loss (mean ± std) | seeds | setting |", "|---|---|---|---|---|"];
  for (const s of best) {
    const rest = Object.fromEntries(
      Object.entries(s.setting).filter(([k]) => k !== "optimizer" && k !== "method" && k !== "lr"),
    );
    lines.push(
      `| ${s.method} | ${s.lr ?? "—"} | ${s.mean.toPrecision(5)} ± ${s.std.toPrecision(2)} | ${s.seeds} | ` +
        `${JSON.stringify(rest)} |`,
    );
  }
  return lines.join("\n") + "\n";
}

/** Rows of the lr-sensitivity chart: per lr, each method's best mean final loss at that lr. */
export function lrSensitivityRows(settings: SettingSummary[]): {
  rows: Record<string, number | null>[];
  methods: string[];
} {
  const methods = [...new Set(settings.map((s) => seriesName(s.method)))].sort();
  const byLr = new Map<number, Record<string, number | null>>();
  for (const s of settings) {
    if (s.lr === null || !Number.isFinite(s.mean)) continue;
    const row = byLr.get(s.lr) ?? { lr: s.lr };
    const series = seriesName(s.method);
    const current = row[series];
    row[series] = current === undefined || current === null ? s.mean : Math.min(current, s.mean);
    byLr.set(s.lr, row);
  }
  const rows = [...byLr.values()]
    .sort((a, b) => a.lr! - b.lr!)
    .map((r) => ({ ...Object.fromEntries(methods.map((m) => [m, null])), ...r }));
  return { rows, methods };
}

// Vega reads "." in a field name as a nested path; "book.adam" is shown with a one-dot leader (U+2024) instead.
export const seriesName = (method: string) => method.replaceAll(".", "\u2024");
