import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TopLevelSpec } from "vega-lite";
import { renderSvg } from "../report/render.js";
import {
  costTable,
  dataProfile,
  evaluationsToSolve,
  logGrid,
  performanceProfile,
  profileRatios,
  referenceValue,
  solvedCount,
  type CostTable,
} from "./profiles.js";
import { scipyResultsFile } from "./scipy.js";
import type { SuiteResult } from "./suite.js";

export const TAUS = [1e-3, 1e-7];

/** One row of the full table: a solver's run on a case, ours or SciPy's. */
export interface TableRow {
  case: string;
  solver: string;
  iterations: number;
  fevals: number;
  gevals: number;
  f: number;
  gradNorm: number;
  status: string;
  /** Gradient evaluations to reach τ = 1e-3 and τ = 1e-7 (null: never). */
  solved: (number | null)[];
}

export function tableRows(result: SuiteResult): TableRow[] {
  const fL = new Map(
    result.cases.map((c) => [
      c.id,
      referenceValue(
        c.fstar,
        result.outcomes.filter((o) => o.case === c.id),
      ),
    ]),
  );
  const solved = (caseId: string, solver: string) => {
    const outcome = result.outcomes.find((o) => o.case === caseId && o.solver === solver)!;
    return TAUS.map((tau) => {
      const cost = evaluationsToSolve(outcome, fL.get(caseId), tau);
      return Number.isFinite(cost) ? cost : null;
    });
  };
  const ours = result.runs.map((r) => ({
    case: r.case,
    solver: r.method,
    iterations: r.iterations,
    fevals: r.fevals,
    gevals: r.gevals,
    f: r.f,
    gradNorm: r.gradNorm,
    status: r.converged ? "converged" : r.message,
  }));
  const scipy = (result.scipy?.runs ?? []).map((r) => ({
    case: r.case,
    solver: `scipy.${r.method}`,
    iterations: r.nit,
    fevals: r.nfev,
    gevals: r.njev,
    f: r.f ?? NaN,
    gradNorm: r.gradNorm ?? NaN,
    status: r.success ? "converged" : r.message,
  }));
  const order = new Map(result.cases.map((c, i) => [c.id, i]));
  return [...ours, ...scipy]
    .sort((a, b) => order.get(a.case)! - order.get(b.case)!)
    .map((row) => ({ ...row, solved: solved(row.case, row.solver) }));
}

const num = (v: number, digits = 4) =>
  Number.isFinite(v)
    ? Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6
      ? Number(v.toPrecision(digits + 2)).toString()
      : v.toExponential(digits - 1)
    : String(v);

/** The full table in Markdown: one line per run. */
export function markdownTable(rows: TableRow[]): string {
  const head =
    "| case | solver | iterations | f evals | ∇f evals | final f | ‖g‖ | ∇f evals to τ=1e-3 | to τ=1e-7 | status " +
    "|\n|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n";
  const line = (r: TableRow) =>
    `| ${r.case} | ${r.solver} | ${r.iterations} | ${r.fevals} | ${r.gevals} | ${num(r.f, 7)} | ` +
    `${num(r.gradNorm, 2)} | ${r.solved[0] ?? "—"} | ${r.solved[1] ?? "—"} | ` +
    `${r.status.replace(/\|/g, "/").slice(0, 70)} |`;
  return head + rows.map(line).join("\n") + "\n";
}

export interface SolverSummary {
  solver: string;
  problems: number;
  /** Problems solved at each τ of TAUS. */
  solved: number[];
  /** Total gradient evaluations over all runs. */
  gevals: number;
}

export function summary(result: SuiteResult): SolverSummary[] {
  const tables = TAUS.map((tau) => costTable(result.cases, result.outcomes, tau));
  return Object.keys(tables[0]).map((solver) => ({
    solver,
    problems: result.cases.length,
    solved: tables.map((t) => solvedCount(t[solver])),
    gevals: result.outcomes.filter((o) => o.solver === solver).reduce((s, o) => s + o.gevals, 0),
  }));
}

function profileSpec(
  title: string,
  rows: Record<string, number | string>[],
  x: string,
  xTitle: string,
  solvers: string[],
): TopLevelSpec {
  // Long format, not a fold: solver names such as "scipy.BFGS" would read as nested field paths.
  const values = rows.flatMap((row) => solvers.map((solver) => ({ [x]: row[x], solver, share: row[solver] })));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: 460,
    height: 260,
    data: { values },
    mark: { type: "line", interpolate: "step-after" },
    encoding: {
      x: { field: x, type: "quantitative", title: xTitle, scale: { type: "log" } },
      y: { field: "share", type: "quantitative", title: "share of problems", scale: { domain: [0, 1] } },
      color: { field: "solver", type: "nominal", title: null, sort: solvers },
      strokeDash: { field: "solver", type: "nominal", legend: null, sort: solvers },
    },
  } as TopLevelSpec;
}

/** Performance and data profiles at each τ, as Vega-Lite specs keyed by file stem. */
export function profileSpecs(result: SuiteResult, label: string, solvers?: string[]): Record<string, TopLevelSpec> {
  const specs: Record<string, TopLevelSpec> = {};
  for (const tau of TAUS) {
    const all = costTable(result.cases, result.outcomes, tau);
    const names = solvers?.filter((s) => s in all) ?? Object.keys(all);
    const costs: CostTable = Object.fromEntries(names.map((s) => [s, all[s]]));
    const tag = tau.toExponential(0).replace("+", "");
    const ratios = profileRatios(costs, 64);
    specs[`performance-profile-tau${tag}`] = profileSpec(
      `Performance profile, ${label}, τ = ${tag} (∇f evaluations)`,
      performanceProfile(costs, ratios),
      "ratio",
      "within this factor of the best solver",
      names,
    );
    const maxBudget = Math.max(10, ...Object.values(costs).flat().filter(Number.isFinite));
    specs[`data-profile-tau${tag}`] = profileSpec(
      `Data profile, ${label}, τ = ${tag}`,
      dataProfile(costs, logGrid(1, maxBudget, 120).map(Math.round)),
      "budget",
      "budget (∇f evaluations)",
      names,
    );
  }
  return specs;
}

/** Writes results.json, table.md and the profiles (SVG and their Vega-Lite specs) into dir. */
export async function writeReport(
  dir: string,
  result: SuiteResult,
  label: string,
  extra: Record<string, string[]> = {},
): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    written.push(join(dir, name));
  };
  const rows = tableRows(result);
  write(
    "results.json",
    JSON.stringify({
      cases: result.cases.map(({ build: _b, precision: _p, ...c }) => c),
      runs: result.runs,
      scipy: result.scipy,
      summary: summary(result),
    }) + "\n",
  );
  write("table.md", markdownTable(rows));
  // SciPy's live results in the committed file's shape (bench/results/scipy-solvers.json is such a file).
  if (result.scipy?.source === "live") write("scipy-solvers.json", scipyResultsFile(result.cases, result.scipy));
  const specSets: [string, Record<string, TopLevelSpec>][] = [
    ["", profileSpecs(result, label)],
    ...Object.entries(extra).map(
      ([prefix, solvers]) =>
        [`${prefix}-`, profileSpecs(result, `${label}, ${prefix}`, solvers)] as [string, Record<string, TopLevelSpec>],
    ),
  ];
  for (const [prefix, specs] of specSets) {
    for (const [stem, spec] of Object.entries(specs)) {
      write(`${prefix}${stem}.vl.json`, JSON.stringify(spec) + "\n");
      write(`${prefix}${stem}.svg`, await renderSvg(spec));
    }
  }
  return written;
}
