import { methodByName } from "../methods/index.js";
import {
  objectiveFromFunction,
  type FromFunctionOptions,
  type ScalarFunction,
  type StartingPoint,
} from "../problems/fromFunction.js";
import type { IterationRecord } from "../solvers/options.js";
import type { MinimizeResult } from "./result.js";

export interface MinimizeOptions extends Pick<FromFunctionOptions, "jac" | "hessp" | "dtype"> {
  /**
   * A solver ("lbfgs" (default), "bfgs", "cg-prplus", "newton-cg", "newton", …)
   * or a first-order optimizer ("book.adam", "torch.Adam", …).
   */
  method?: string;
  /**
   * The method's settings: a solver's (`{ memory: 5 }` for lbfgs) or an optimizer's hyperparameters (`{ lr: 0.01 }`).
   */
  options?: Record<string, unknown>;
  /** Stop when ‖∇f‖₂ <= tol (default 1e-5); first-order methods run all their steps and report against it. */
  tol?: number;
  /** Iteration cap of a solver (default 200·n), or the exact number of steps of a first-order method (default 100). */
  maxIter?: number;
  /** Called after every iteration with its record (f, ‖∇f‖₂, counts) and the point reached. */
  callback?: (record: IterationRecord, x: Float64Array) => void;
}

const KNOWN_KEYS = new Set(["method", "options", "tol", "maxIter", "dtype", "callback", "jac", "hessp"]);

function checkOptions(opts: MinimizeOptions): void {
  if (typeof opts !== "object" || opts === null || Array.isArray(opts))
    throw new Error("minimize: the third argument must be an options object");
  const unknown = Object.keys(opts).filter((k) => !KNOWN_KEYS.has(k));
  if (unknown.length)
    throw new Error(
      `minimize: unknown option${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => `"${k}"`).join(", ")} (known: ` +
        `${[...KNOWN_KEYS].join(", ")})`,
    );
  if (opts.maxIter !== undefined && !(Number.isInteger(opts.maxIter) && opts.maxIter >= 0))
    throw new Error(`minimize: maxIter must be a non-negative integer, got ${opts.maxIter}`);
  if (opts.tol !== undefined && !(opts.tol >= 0))
    throw new Error(`minimize: tol must be a number >= 0, got ${opts.tol}`);
  if (opts.callback !== undefined && typeof opts.callback !== "function")
    throw new Error(`minimize: callback must be a function, got ${typeof opts.callback}`);
  const settings = opts.options;
  if (settings !== undefined && (typeof settings !== "object" || settings === null || Array.isArray(settings)))
    throw new Error("minimize: options must be an object of the method's settings");
}

/**
 * Minimizes f from x0 with any solver or first-order optimizer, SciPy-style. `f` maps θ (a 1-D jax-js
 * Array, consumed: use `x.ref` to read it twice) to a scalar Array; gradients and Hessian-vector
 * products come from autodiff unless `jac`/`hessp` are given. Needs `await engine.startEngine()` first.
 */
export function minimize(f: ScalarFunction, x0: StartingPoint, opts: MinimizeOptions = {}): MinimizeResult {
  checkOptions(opts);
  const name = opts.method ?? "lbfgs";
  const method = methodByName(name);
  const objective = objectiveFromFunction(f, x0, { jac: opts.jac, hessp: opts.hessp, dtype: opts.dtype });
  try {
    const start = Float64Array.from(objective.problem.x0);
    const run = method.run(objective, start, opts.options ?? {}, {
      maxIter: opts.maxIter,
      tol: opts.tol,
      onIteration: opts.callback,
    });
    const counts = { nfev: run.fevals, njev: run.gevals, nhev: run.hevals + (run.hvps ?? 0) };
    // ∇f at x, read after the counts so that they stay the method's own; free when x was the last point evaluated.
    const grad = run.x.every(Number.isFinite)
      ? objective.valueAndGrad(run.x)[1]
      : new Float64Array(run.x.length).fill(NaN);
    return {
      x: run.x,
      fun: run.f,
      grad,
      status: run.status,
      success: run.status === "converged",
      message: run.message,
      nit: run.iterations,
      ...counts,
      history: (run.history as IterationRecord[]) ?? [],
      method: name,
    };
  } finally {
    objective.dispose();
  }
}
