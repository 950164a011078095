import { numpy as np } from "@jax-js/jax";
import { existsSync } from "node:fs";
import { basename, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { toDevice, type Precision } from "../engine/index.js";
import { mghProblem } from "./mgh/index.js";
import type { Problem } from "./problem.js";
import { loadProblem, type LoadedProblem } from "./spec.js";

/** `--problem` values that name a JavaScript or TypeScript module rather than a built-in or a JSON spec. */
export const isObjectiveModule = (arg: string) => /\.(mjs|js|ts|mts)$/.test(arg);

async function importModule(path: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(resolve(path)).href;
  if (!/\.m?ts$/.test(path)) return import(url);
  // TypeScript through tsx's loader, when it is installed (a development dependency of Descent).
  let api: { tsImport(specifier: string, parent: string): Promise<Record<string, unknown>> };
  try {
    api = await import("tsx/esm/api");
  } catch {
    throw new Error(
      `objective module ${path}: loading TypeScript needs the tsx package (npm install tsx), or write the module as ` +
        `.mjs`,
    );
  }
  return api.tsImport(url, import.meta.url);
}

type ModuleF = (x: np.Array, numpy: typeof np) => np.Array;
type ModuleGrad = ModuleF;
type ModuleHessp = (x: np.Array, v: np.Array, numpy: typeof np) => np.Array;

const fail = (path: string, why: string): never => {
  throw new Error(`objective module ${path}: ${why}`);
};

/**
 * Loads a user objective: a module whose default export is { name?, x0: number[], f(x, np), grad?, hessp? },
 * f returning a scalar jax-js Array. Checks it once at x0 (eagerly, in the given precision), so that a module
 * that throws, returns a non-scalar or NaN is refused with one message naming the file.
 */
export async function loadObjectiveModule(path: string, precision: Precision): Promise<Problem> {
  if (!existsSync(path)) fail(path, "no such file");
  let loaded: Record<string, unknown>;
  try {
    loaded = await importModule(path);
  } catch (error) {
    return fail(path, `could not be loaded: ${(error as Error).message.split("\n")[0]}`);
  }
  const spec = loaded.default as Record<string, unknown> | undefined;
  if (!spec || typeof spec !== "object") fail(path, "has no default export object { x0, f }");
  const { x0, f, grad, hessp, name } = spec!;
  if (!Array.isArray(x0) || x0.length === 0 || !x0.every((v) => typeof v === "number" && Number.isFinite(v)))
    fail(path, "x0 must be a non-empty array of finite numbers");
  if (typeof f !== "function") fail(path, "f must be a function f(x, np) returning a scalar jax-js Array");
  for (const [key, value] of Object.entries({ grad, hessp }))
    if (value !== undefined && typeof value !== "function") fail(path, `${key} must be a function`);
  const start = x0 as number[];
  // The module's functions take the jax-js namespace as their last argument, so the file needs no imports.
  const [userF, userGrad, userHessp] = [f, grad, hessp] as [ModuleF, ModuleGrad | undefined, ModuleHessp | undefined];
  const problem: Problem = {
    name: typeof name === "string" ? name : basename(path).replace(/\.[^.]+$/, ""),
    dim: start.length,
    x0: Float64Array.from(start),
    f: (x) => userF(x, np),
    grad: userGrad && ((x) => userGrad(x, np)),
    hvp: userHessp && ((x, v) => userHessp(x, v, np)),
    dispose: () => {},
  };
  let value: np.Array;
  try {
    value = problem.f(toDevice(start, [start.length], precision));
  } catch (error) {
    return fail(path, `f threw at x0: ${(error as Error).message.split("\n")[0]}`);
  }
  if (!(value instanceof np.Array)) fail(path, `f must return a jax-js Array, got ${typeof value}`);
  if (value.shape.length !== 0) {
    const shape = JSON.stringify(value.shape);
    value.dispose();
    fail(path, `f must return a scalar, got an array of shape ${shape}`);
  }
  const fx0 = value.item();
  if (!Number.isFinite(fx0)) fail(path, `f(x0) is ${fx0}`);
  return problem;
}

/**
 * `--problem`: a built-in name, `mgh:NAME` (a Moré–Garbow–Hillstrom function,
 * n from --dim), a JSON spec file, or an objective module (.mjs, .js, .ts).
 */
export async function loadAnyProblem(arg: string, opts: Parameters<typeof loadProblem>[1]): Promise<LoadedProblem> {
  if (isObjectiveModule(arg)) return { problem: await loadObjectiveModule(arg, opts.precision), runs: [] };
  if (arg.startsWith("mgh:"))
    return { problem: mghProblem(arg.slice(4), { precision: opts.precision, n: opts.dim }), runs: [] };
  return loadProblem(arg, opts);
}
