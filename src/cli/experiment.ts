import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { precisionOf, startEngine } from "../engine/index.js";
import { writeFileAtomic } from "../io/atomic.js";
import { xyChartSpec } from "../report/charts.js";
import { renderSvg } from "../report/render.js";
import { EXPERIMENTS, fmt, type ExperimentSize, type ResultRow } from "../strategies/experiments/index.js";
import { UserError } from "./errors.js";
import { integerArg } from "./args.js";

export function experimentCommand(): Command {
  return new Command("experiment")
    .description(
      `run one of the chapter's claims as a measured comparison (baseline vs method, same budget and seeds): ` +
        `${Object.keys(EXPERIMENTS).join(", ")}`,
    )
    .argument("<name>", "the experiment")
    .option("--quick", "the small setting (under a minute)")
    .option("--smoke", "a tiny setting for tests: it runs everything, its numbers mean nothing")
    .option("--seeds <k>", "number of seeds (default: per experiment and setting)", integerArg)
    .option("--out <dir>", "output directory for result.json and chart.svg (default runs/experiment-<name>)")
    .option("--json", "print one JSON summary line on stdout and nothing else")
    .action(
      async (name: string, flags: { quick?: boolean; smoke?: boolean; seeds?: number; out?: string; json?: boolean }) =>
        runExperiment(name, flags),
    );
}

/** "mean ± std" cells for metrics with a Std companion, plain cells otherwise. */
function table(rows: ResultRow[]): string {
  const metrics = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter(
    (k) => k !== "variant" && !k.endsWith("Std"),
  );
  // NaN: no finite run to average (every seed diverged).
  const cell = (r: ResultRow, m: string) =>
    r[m] === undefined
      ? ""
      : typeof r[m] !== "number"
        ? String(r[m])
        : Number.isNaN(r[m])
          ? "n/a"
          : fmt(r[m] as number) + (typeof r[`${m}Std`] === "number" ? ` ± ${fmt(r[`${m}Std`] as number)}` : "");
  const lines = [["variant", ...metrics], ...rows.map((r) => [r.variant, ...metrics.map((m) => cell(r, m))])];
  const widths = lines[0].map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  return lines
    .map((l) =>
      l
        .map((v, c) => v.padEnd(widths[c]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

async function runExperiment(
  name: string,
  flags: { quick?: boolean; smoke?: boolean; seeds?: number; out?: string; json?: boolean },
): Promise<void> {
  const experiment = EXPERIMENTS[name];
  if (!experiment)
    throw new UserError(`unknown experiment "${name}"; expected one of ${Object.keys(EXPERIMENTS).join(", ")}`);
  if (flags.quick && flags.smoke) throw new UserError("--quick and --smoke are different settings: give one");
  if (flags.seeds !== undefined && !(flags.seeds >= 1))
    throw new UserError(`--seeds must be at least 1, got ${flags.seeds}`);
  const size: ExperimentSize = flags.smoke ? "smoke" : flags.quick ? "quick" : "full";
  const seeds = Array.from({ length: flags.seeds ?? experiment.seeds[size] }, (_, i) => i + 1);
  const out = flags.out ?? join("runs", `experiment-${name}`);
  await startEngine();
  const started = performance.now();
  const outcome = await experiment.run({
    size,
    seeds,
    precision: precisionOf("float32"),
    log: (line) => !flags.json && process.stderr.write(`[${name}] ${line}\n`),
  });
  const seconds = (performance.now() - started) / 1000;
  const c = outcome.chart;
  const svg = await renderSvg(
    xyChartSpec(c.title, c.rows, c.x, c.series, { xTitle: c.xTitle, yTitle: c.yTitle, logX: c.logX, logY: c.logY }),
  );
  const result = {
    experiment: name,
    size,
    seeds,
    claim: experiment.claim,
    reproduced: outcome.reproduced,
    verdict: outcome.verdict,
    rows: outcome.rows,
    settings: outcome.settings,
    seconds,
    chart: c,
  };
  mkdirSync(out, { recursive: true });
  writeFileAtomic(join(out, "result.json"), JSON.stringify(result, null, 2) + "\n");
  writeFileAtomic(join(out, "chart.svg"), svg);
  if (flags.json) {
    process.stdout.write(
      JSON.stringify({
        experiment: name,
        rows: outcome.rows,
        claim: experiment.claim,
        reproduced: outcome.reproduced,
        verdict: outcome.verdict,
        size,
        seeds: seeds.length,
      }) + "\n",
    );
    return;
  }
  process.stdout.write(
    `${name} (${size}, seeds ${seeds.join(", ")}, ${seconds.toFixed(1)} s)\n\n${table(outcome.rows)}\n\nclaim: ` +
      `${experiment.claim}\n${outcome.verdict}\nreproduced: ${outcome.reproduced}\nwrote ${join(out, "result.json")} ` +
      `and ${join(out, "chart.svg")}\n`,
  );
}
