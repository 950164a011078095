import type { Precision } from "../../engine/index.js";
import type { Problem } from "../problem.js";
import { sumOfSquares } from "./expr.js";
import { fittingFunctions } from "./fitting.js";
import { linearFunctions } from "./linear.js";
import { smallFunctions } from "./small.js";
import type { MghFunction } from "./spec.js";
import { variableFunctions } from "./variable.js";

export type { MghFunction } from "./spec.js";
export { Scope, Expr, sumOfSquares } from "./expr.js";

/** The 35 functions of Moré, Garbow & Hillstrom (1981), in the paper's order. */
export const MGH_FUNCTIONS: readonly MghFunction[] = [
  ...smallFunctions,
  ...fittingFunctions,
  ...variableFunctions,
  ...linearFunctions,
].sort((a, b) => a.id - b.id);

export function mghFunction(name: string): MghFunction {
  const found = MGH_FUNCTIONS.find((fn) => fn.name === name || `mgh${fn.id}` === name);
  if (!found) throw new Error(`unknown MGH function "${name}" (${MGH_FUNCTIONS.map((fn) => fn.name).join(", ")})`);
  return found;
}

/** Checks n against the function's allowed dimensions. */
export function checkDimension(fn: MghFunction, n: number): void {
  const ok = fn.variable
    ? Number.isInteger(n) && n >= fn.variable.min && n <= fn.variable.max && n % (fn.variable.multipleOf ?? 1) === 0
    : n === fn.n;
  if (ok) return;
  const allowed = fn.variable
    ? `${fn.variable.min}..${fn.variable.max}` +
      `${fn.variable.multipleOf ? `, a multiple of ${fn.variable.multipleOf}` : ""}`
    : `${fn.n} only`;
  throw new Error(`MGH ${fn.name}: n = ${n} is not allowed (${allowed})`);
}

export interface MghProblemOptions {
  precision: Precision;
  /** Dimension (default: the function's standard n). */
  n?: number;
  /** Start at scale·x0 (the paper's 10x0 and 100x0; default 1). */
  scale?: number;
}

/** An MGH function as a Problem: f = Σ f_i², x0 (scaled), and the published f* / x* for this n. */
export function mghProblem(name: string, options: MghProblemOptions): Problem {
  const fn = mghFunction(name);
  const n = options.n ?? fn.n;
  checkDimension(fn, n);
  const scale = options.scale ?? 1;
  const fstar = fn.fstar?.(n);
  const xstar = fn.xstar?.(n);
  return {
    name: `${fn.name}${fn.variable ? `-n${n}` : ""}${scale === 1 ? "" : `-x${scale}`}`,
    dim: n,
    x0: Float64Array.from(fn.x0(n), (v) => v * scale),
    f: sumOfSquares(options.precision, (x, scope) => fn.residuals(x, scope, n)),
    solution: fstar === undefined && !xstar ? undefined : { f: fstar, x: xstar ? Float64Array.from(xstar) : undefined },
    dispose: () => {},
  };
}
