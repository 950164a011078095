import { existsSync } from "node:fs";
import { Command, Option } from "commander";
import { precisionOf, startEngine } from "../engine/index.js";
import { writeFileAtomic } from "../io/atomic.js";
import { allMethods } from "../methods/index.js";
import { isObjectiveModule, loadObjectiveModule, loadProblem, SURFACES, type Surface } from "../problems/index.js";
import { htmlPage } from "../report/html.js";
import {
  fitView,
  landscapeSpec,
  raceOnSurface,
  surfaceContours,
  surfaceFromProblem,
  type MethodSpec,
} from "../report/landscape.js";
import { renderSvg } from "../report/render.js";
import { UserError } from "./errors.js";
import { integerArg, numberArg } from "./args.js";
import { networkLandscapeAction } from "./landscapeNetwork.js";

const parseJson = (flag: string, text: string) => {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UserError(`${flag} is not valid JSON: ${(error as Error).message}`);
  }
};

/** `--from x,y` → a point. */
function parsePoint(text: string): [number, number] {
  const parts = text.split(",").map((s) => Number(s.trim()));
  if (parts.length !== 2 || !parts.every(Number.isFinite))
    throw new UserError(`--from must be two numbers "x,y", got "${text}"`);
  return [parts[0], parts[1]];
}

/** `--methods a,b` with `--config {"a": {...}}` → the runs to make, each method checked against the registry. */
function parseMethods(list: string, configText: string | undefined): MethodSpec[] {
  const names = list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new UserError("--methods needs at least one method name");
  const known = allMethods();
  const unknown = names.filter((n) => !known[n]);
  if (unknown.length)
    throw new UserError(
      `unknown method${unknown.length > 1 ? "s" : ""} ${unknown.map((n) => `"${n}"`).join(", ")} (available: ` +
        `${Object.keys(known).sort().join(", ")})`,
    );
  const configs = configText === undefined ? {} : parseJson("--config", configText);
  if (typeof configs !== "object" || configs === null || Array.isArray(configs))
    throw new UserError('--config must be a JSON object keyed by method name, e.g. {"book.sgd": {"lr": 0.01}}');
  const extra = Object.keys(configs).filter((k) => !names.includes(k));
  if (extra.length)
    throw new UserError(
      `--config has settings for ${extra.map((k) => `"${k}"`).join(", ")}, which --methods does not list`,
    );
  return names.map((method) => ({ method, config: configs[method] ?? {} }));
}

async function surfaceFor(arg: string, dtype: "float32" | "float64"): Promise<Surface> {
  if (SURFACES[arg]) return SURFACES[arg];
  if (isObjectiveModule(arg)) return surfaceFromModule(arg, dtype);
  if (!existsSync(arg.split("#")[0]))
    throw new UserError(
      `"${arg}" is neither a built-in surface (${Object.keys(SURFACES).join(", ")}) nor an existing file`,
    );
  let loaded;
  try {
    loaded = loadProblem(arg, { precision: precisionOf(dtype) });
  } catch (error) {
    throw new UserError((error as Error).message);
  }
  loaded.problem.dispose();
  if (loaded.problem.dim !== 2)
    throw new UserError(`landscape draws 2-D problems; ${arg} has dimension ${loaded.problem.dim}`);
  const x0 = loaded.problem.x0;
  return surfaceFromProblem(loaded.problem.name, (precision) => loadProblem(arg, { precision }).problem, [
    x0[0],
    x0[1],
  ]);
}

/** A user's objective module (`{ x0, f(x, np) }`): its Problem holds no arrays, so one serves every precision. */
async function surfaceFromModule(path: string, dtype: "float32" | "float64"): Promise<Surface> {
  let problem;
  try {
    problem = await loadObjectiveModule(path, precisionOf(dtype));
  } catch (error) {
    throw new UserError((error as Error).message);
  }
  if (problem.dim !== 2) throw new UserError(`landscape draws 2-D problems; ${path} has dimension ${problem.dim}`);
  return surfaceFromProblem(problem.name, () => problem, [problem.x0[0], problem.x0[1]]);
}

export function landscapeCommand(): Command {
  return new Command("landscape")
    .description(
      "race optimizers and solvers on a 2-D surface: each path over the contour lines, with a loss-vs-step panel",
    )
    .option(
      "--problem <name|file>",
      `${Object.keys(SURFACES).join(" | ")} | FILE.json (a 2-D problem spec) | FILE.mjs (a 2-D objective module)`,
    )
    .option("--methods <a,b,c>", "methods of `descent optimize` (first-order and solvers), comma-separated")
    .option(
      "--model <dir>",
      "instead of --problem: a `descent train --out DIR` run; draws the θ₀→θ* interpolation and a filter-normalized " +
        "2-D slice",
    )
    .option("--grid <n>", "with --model: n × n slice points (n odd)", integerArg, 41)
    .option("--span <s>", "with --model: α, β ∈ [−s, s]", numberArg, 1)
    .option("--examples <m>", "with --model: training examples in the loss", integerArg, 1000)
    .option("--trajectory", "with --model: retrace the run (deterministic by seed) and project θ after every epoch")
    .option(
      "--config <json>",
      'settings per method, e.g. {"book.sgd": {"lr": 0.01}, "book.momentum": {"lr": 0.01, "alpha": 0.9}}',
    )
    .option("--steps <k>", "steps of each first-order method (iteration cap of each solver)", integerArg, 100)
    .option("--from <x,y>", "start point (default: the surface's)")
    .addOption(
      new Option("--dtype <dtype>", "float64 is exact (cpu device); float32 is fast")
        .choices(["float32", "float64"])
        .default("float64"),
    )
    .requiredOption("--out <file>", "FILE.svg or FILE.html")
    .action(async (flags) => {
      const out: string = flags.out;
      if (!/\.(svg|html)$/i.test(out)) throw new UserError(`--out must end in .svg or .html, got "${out}"`);
      if ((flags.problem === undefined) === (flags.model === undefined))
        throw new UserError("give either --problem (a 2-D surface) or --model (a trained network)");
      if (flags.model !== undefined) {
        // An odd grid has θ* itself (α = β = 0) as its centre point.
        if (!(flags.grid >= 3 && flags.grid % 2 === 1) || !(flags.span > 0) || !(flags.examples >= 1))
          throw new UserError(
            `--grid must be odd and at least 3 (got ${flags.grid}), --span positive and --examples at least 1`,
          );
        return networkLandscapeAction({
          model: flags.model,
          grid: flags.grid,
          span: flags.span,
          examples: flags.examples,
          trajectory: flags.trajectory,
          out,
        });
      }
      if (flags.methods === undefined) throw new UserError("--problem needs --methods");
      if (!(flags.steps >= 1)) throw new UserError(`--steps must be at least 1, got ${flags.steps}`);
      const methods = parseMethods(flags.methods, flags.config);
      const from = flags.from === undefined ? undefined : parsePoint(flags.from);
      await startEngine();
      const precision = precisionOf(flags.dtype);
      let surface = await surfaceFor(flags.problem, flags.dtype);
      let runs;
      try {
        runs = raceOnSurface(surface, methods, { steps: flags.steps, from, precision });
      } catch (error) {
        throw new UserError(`on ${surface.name}: ${(error as Error).message}`);
      }
      if (!SURFACES[flags.problem]) surface = fitView({ ...surface, start: from ?? surface.start }, runs);
      const { grid, contours } = surfaceContours(surface, precision);
      const spec = landscapeSpec({ surface, grid, contours, runs });
      const svg = await renderSvg(spec);
      const messages = runs.map((r): [string, string] => [r.label, r.message]);
      writeFileAtomic(
        out,
        out.toLowerCase().endsWith(".svg")
          ? svg
          : htmlPage(`descent landscape — ${surface.name}`, [
              { heading: surface.description, table: messages, svgs: [svg] },
            ]),
      );
      process.stderr.write(`wrote ${out}\n`);
    });
}
