/** The benchmark's outputs: the table (Markdown), results.json, and the performance profiles (SVG + Vega-Lite JSON). */
import { join } from "node:path";
import { performanceProfile, profileRatios } from "../benchmark/profiles.js";
import { profileSpec } from "../benchmark/report.js";
import { writeFileAtomic } from "../io/atomic.js";
import { renderSvg } from "../report/render.js";
import type { BenchmarkConfig } from "./protocol.js";
import { SUITE_TAUS, type BenchmarkScores } from "./score.js";

const sig = (v: number, digits = 4) => (Number.isFinite(v) ? Number(v.toPrecision(digits)).toString() : "diverged");
const epochs = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(3)).toString() : "—");
const tauTag = (tau: number) => tau.toExponential(0).replace("+", "");

/** Per problem, each method's tuned rate, final loss (mean ± std) and time-to-target; then a profile summary. */
export function benchmarkTable(scores: BenchmarkScores): string {
  const taus = SUITE_TAUS.map((t) => `to τ=${tauTag(t)}`);
  const lines = [
    `| problem | method | lr | final loss (mean ± std) | seeds | ${taus.join(" | ")} |`,
    `|---|---|---:|---|---:|${taus.map(() => "---:").join("|")}|`,
  ];
  for (const s of scores.scores) {
    const loss = Number.isFinite(s.mean) ? `${sig(s.mean)} ± ${sig(s.std, 2)}` : "diverged";
    const times = s.timeToTarget.map(epochs).join(" | ");
    lines.push(`| ${s.problem} | ${s.method} | ${s.lr ?? "line search"} | ${loss} | ${s.seeds} | ${times} |`);
  }
  lines.push("", "| problem | f0 (mean) | f_L (lowest reached) | budget (epochs) |", "|---|---:|---:|---:|");
  for (const p of scores.problems)
    lines.push(`| ${p.problem} | ${sig(p.f0)} | ${sig(p.fL)} | ${epochs(p.budgetEpochs)} |`);
  lines.push(
    "",
    `| method | ${SUITE_TAUS.map((t) => `fastest at τ=${tauTag(t)} | reached τ=${tauTag(t)}`).join(" | ")} |`,
  );
  lines.push(`|---|${SUITE_TAUS.map(() => "---:|---:").join("|")}|`);
  const methods = Object.keys(scores.costs[0] ?? {});
  for (const m of methods) {
    const cells = scores.costs.map((costs) => {
      const mine = costs[m];
      const best = mine.map((_, p) => Math.min(...methods.map((o) => costs[o][p])));
      const wins = mine.filter((c, p) => Number.isFinite(c) && c <= best[p]).length;
      return `${wins} | ${mine.filter(Number.isFinite).length} of ${mine.length}`;
    });
    lines.push(`| ${m} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n") + "\n";
}

/** Writes table.md, results.json and a performance profile per τ into dir; returns the files written. */
export async function writeBenchmarkReport(
  dir: string,
  config: BenchmarkConfig,
  scores: BenchmarkScores,
): Promise<string[]> {
  const written: string[] = [];
  const write = (name: string, text: string) => {
    writeFileAtomic(join(dir, name), text);
    written.push(join(dir, name));
  };
  write("table.md", benchmarkTable(scores));
  const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);
  write(
    "results.json",
    JSON.stringify({
      config,
      taus: SUITE_TAUS,
      problems: scores.problems,
      scores: scores.scores.map((s) => ({
        ...s,
        mean: finiteOrNull(s.mean),
        std: finiteOrNull(s.std),
        timeToTarget: s.timeToTarget.map(finiteOrNull),
      })),
    }) + "\n",
  );
  for (const [t, tau] of SUITE_TAUS.entries()) {
    const costs = scores.costs[t];
    const spec = profileSpec(
      `Performance profile, ${config.suite} suite (${config.problems.length} problems), ` +
        `τ = ${tauTag(tau)} (time to target)`,
      performanceProfile(costs, profileRatios(costs, 64)),
      "ratio",
      "within this factor of the fastest method",
      Object.keys(costs),
    );
    write(`performance-profile-tau${tauTag(tau)}.vl.json`, JSON.stringify(spec) + "\n");
    write(`performance-profile-tau${tauTag(tau)}.svg`, await renderSvg(spec));
  }
  return written;
}
