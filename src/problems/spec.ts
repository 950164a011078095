import { existsSync, readFileSync } from "node:fs";
import type { Precision } from "../engine/index.js";
import { BUILTIN_PROBLEMS, builtinProblem, type BuiltinName } from "./builtin.js";
import { logisticProblem, mlpProblem, quadraticProblem, rosenbrockProblem } from "./objectives.js";
import type { Problem } from "./problem.js";
import { integerField, matrixField, numberField, startField, vectorField } from "./specCheck.js";

/** A run recorded in a reference file: algorithm, config, and θ after each step. */
export interface ReferenceRun {
  algorithm: string;
  config: Record<string, unknown>;
  steps: number;
  trajectory: number[][];
}

export interface LoadedProblem {
  problem: Problem;
  /** Reference runs, when the file carried them. */
  runs: ReferenceRun[];
  /** SciPy's results, when the file is (a problem of) scipy-suite.json. */
  scipy?: Record<string, Record<string, number | boolean>>;
}

type Spec = Record<string, unknown>;

/** Builds a problem from a spec object of the reference files (kinds quadratic, mlp, rosenbrock, logistic). */
export function problemFromSpec(spec: Spec, precision: Precision, x0?: unknown): Problem {
  const name = typeof spec.name === "string" ? spec.name : String(spec.kind);
  const need = (key: string) => {
    if (spec[key] === undefined) throw new Error(`problem "${name}" (${spec.kind}) lacks "${key}"`);
  };
  switch (spec.kind) {
    case "quadratic": {
      need("A");
      need("b");
      const b = vectorField(spec, name, "b");
      return quadraticProblem(
        matrixField(spec, name, "A", { rows: b.length, cols: b.length }),
        b,
        precision,
        name,
        startField(x0, name, b.length),
      );
    }
    case "rosenbrock": {
      need("n");
      const n = integerField(spec, name, "n", 2);
      return rosenbrockProblem(n, name, startField(x0, name, n));
    }
    case "logistic": {
      for (const key of ["X", "y", "lam"]) need(key);
      const X = matrixField(spec, name, "X");
      return logisticProblem(
        X,
        vectorField(spec, name, "y", X.length),
        numberField(spec, name, "lam", 0),
        precision,
        name,
        startField(x0, name, X[0].length),
      );
    }
    case "mlp": {
      for (const key of ["X", "Y", "shapes"]) need(key);
      const X = matrixField(spec, name, "X");
      const shapes = spec.shapes;
      if (
        !Array.isArray(shapes) ||
        !shapes.every((s) => Array.isArray(s) && s.every((d) => Number.isInteger(d) && d >= 1))
      )
        throw new Error(`problem "${name}": "shapes" must be an array of shapes (arrays of positive integers)`);
      const dim = (shapes as number[][]).reduce((n, s) => n + s.reduce((a, d) => a * d, 1), 0);
      return mlpProblem(
        X,
        matrixField(spec, name, "Y", { rows: X.length }),
        shapes as number[][],
        precision,
        name,
        startField(x0, name, dim),
      );
    }
    default:
      throw new Error(
        `unknown problem kind ${JSON.stringify(spec.kind)} (expected quadratic, mlp, rosenbrock or logistic)`,
      );
  }
}

/**
 * Accepts a bare problem object, a reference file ({problem, theta0|x0, runs}), or a suite
 * ({problems: [{name, problem, x0, scipy}]}) from which `entry` picks one by name.
 */
export function problemFromJson(
  json: Spec,
  precision: Precision,
  entry?: string,
  source = "problem file",
): LoadedProblem {
  if (Array.isArray(json.problems)) {
    const entries = json.problems as Spec[];
    const names = entries.map((e) => String(e.name));
    if (!entry) throw new Error(`${source} holds several problems: pick one with FILE#NAME (${names.join(", ")})`);
    const found = entries.find((e) => e.name === entry);
    if (!found) throw new Error(`${source} has no problem "${entry}" (${names.join(", ")})`);
    const loaded = problemFromJson(found, precision, undefined, source);
    if (found.scipy) loaded.scipy = found.scipy as LoadedProblem["scipy"];
    return loaded;
  }
  if (json.problem && typeof json.problem === "object") {
    const start = json.theta0 ?? json.x0;
    const spec = { name: json.name, ...(json.problem as Spec) };
    return { problem: problemFromSpec(spec, precision, start), runs: (json.runs as ReferenceRun[]) ?? [] };
  }
  return { problem: problemFromSpec(json, precision, json.theta0 ?? json.x0), runs: [] };
}

/** `--problem NAME|FILE[#ENTRY]`: a built-in name or a JSON spec file. */
export function loadProblem(
  arg: string,
  opts: { dim?: number; cond?: number; seed?: number; precision: Precision },
): LoadedProblem {
  if ((BUILTIN_PROBLEMS as readonly string[]).includes(arg))
    return { problem: builtinProblem(arg as BuiltinName, opts), runs: [] };
  const [path, entry] = arg.includes("#")
    ? [arg.slice(0, arg.lastIndexOf("#")), arg.slice(arg.lastIndexOf("#") + 1)]
    : [arg, undefined];
  if (!existsSync(path))
    throw new Error(`"${arg}" is neither a built-in problem (${BUILTIN_PROBLEMS.join(", ")}) nor an existing file`);
  let json: Spec;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`problem file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return problemFromJson(json, opts.precision, entry, path);
}

/**
 * Whether `--problem ARG` is a quadratic (the built-in or a spec file's): its objective is exact in float64 on Wasm.
 */
export function isQuadraticProblem(arg: string): boolean {
  if (arg === "quadratic") return true;
  const path = arg.includes("#") ? arg.slice(0, arg.lastIndexOf("#")) : arg;
  try {
    const json = JSON.parse(readFileSync(path, "utf8"));
    const entry =
      arg.includes("#") && Array.isArray(json.problems)
        ? json.problems.find((e: Spec) => e.name === arg.slice(arg.lastIndexOf("#") + 1))
        : json;
    return (entry?.problem?.kind ?? entry?.kind) === "quadratic";
  } catch {
    return false;
  }
}
