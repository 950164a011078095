import { makeJaxpr, numpy as np } from "@jax-js/jax";
import { precisionOf, toDevice, type DTypeName } from "../engine/index.js";
import { Objective } from "./objective.js";
import type { Problem } from "./problem.js";

/** A user's objective: maps θ (a 1-D jax-js Array, consumed) to a scalar Array; traceable (jax-js ops only). */
export type ScalarFunction = (x: np.Array) => np.Array;

/** A starting point as the user holds it. */
export type StartingPoint = readonly number[] | Float32Array | Float64Array;

export interface FromFunctionOptions {
  /** ∇f as a jax-js function (SciPy's `jac`); autodiff of f when absent. */
  jac?: (x: np.Array) => np.Array;
  /** ∇²f(x)·v as a jax-js function (SciPy's `hessp`); autodiff of ∇f when absent. */
  hessp?: (x: np.Array, v: np.Array) => np.Array;
  /** float64 (default: exact, on Wasm), float64-fast (its former name, an alias) or float32 (Wasm). */
  dtype?: DTypeName | "float64-fast";
  /** Shown in messages (default "f"). */
  name?: string;
}

const DTYPES = ["float32", "float64", "float64-fast"];

/** Checks x0 and copies it to float64: every entry a finite number, at least one entry. */
export function startingPoint(x0: StartingPoint): Float64Array {
  const ok = Array.isArray(x0) || x0 instanceof Float64Array || x0 instanceof Float32Array;
  if (!ok)
    throw new Error(
      `x0 must be a number[], Float32Array or Float64Array, got ` +
        `${typeof x0 === "object" && x0 !== null ? x0.constructor.name : typeof x0}`,
    );
  if (x0.length === 0) throw new Error("x0 is empty: the objective needs at least one variable");
  const x = Float64Array.from(x0 as ArrayLike<number>);
  const bad = x.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new Error(`x0[${bad}] is ${x0[bad]}; every entry must be a finite number`);
  return x;
}

/** Evaluates and traces f once at x0, so that a wrong return type or an untraceable f fails here, naming the cause. */
function checkScalar(
  f: ScalarFunction,
  x0: Float64Array,
  precision: ReturnType<typeof precisionOf>,
  name: string,
): void {
  let out: unknown;
  try {
    out = f(toDevice(x0, [x0.length], precision));
  } catch (error) {
    throw new Error(`${name}(x0) threw: ${(error as Error).message}`, { cause: error });
  }
  if (!(out instanceof np.Array)) {
    // An Array from a second copy of @jax-js/jax cannot be read by Descent's: name the fix.
    const foreign = typeof out === "object" && out !== null && "shape" in out && "dtype" in out;
    if (foreign)
      throw new Error(
        `${name} returned an Array from another copy of @jax-js/jax: build it with Descent's own (import { numpy } ` +
          `from "descent")`,
      );
    throw new Error(`${name} must return a jax-js Array (a scalar), got ${out === null ? "null" : typeof out}`);
  }
  const shape = out.shape.slice();
  out.dispose();
  if (shape.length !== 0)
    throw new Error(`${name} must return a scalar, got an array of shape [${shape}] (reduce it, e.g. with .sum())`);
  // Solvers compile f with jit: a function that reads values back to the host inside cannot be traced.
  const probe = toDevice(x0, [x0.length], precision);
  try {
    makeJaxpr(f)(probe).jaxpr.dispose();
  } catch (error) {
    throw new Error(
      `${name} cannot be traced by jit (use jax-js operations only, no .item(), .js() or dataSync() inside): ` +
        `${(error as Error).message}`,
      { cause: error },
    );
  } finally {
    probe.dispose();
  }
}

/**
 * The host view of a user's function, ready for any solver or first-order method: f maps θ (a 1-D
 * Array of length x0.length) to a scalar; gradients and Hessian-vector products come from autodiff
 * unless `jac`/`hessp` are given. The caller owns the result and disposes it.
 */
export function objectiveFromFunction(
  f: ScalarFunction,
  x0: StartingPoint,
  options: FromFunctionOptions = {},
): Objective {
  const name = options.name ?? "f";
  if (typeof f !== "function") throw new Error(`the objective must be a function of a jax-js Array, got ${typeof f}`);
  const dtype = options.dtype ?? "float64";
  if (!DTYPES.includes(dtype)) throw new Error(`dtype must be one of ${DTYPES.join(", ")}, got "${dtype}"`);
  for (const key of ["jac", "hessp"] as const) {
    if (options[key] !== undefined && typeof options[key] !== "function")
      throw new Error(`${key} must be a function of jax-js Arrays, got ${typeof options[key]}`);
  }
  const start = startingPoint(x0);
  const precision = precisionOf(dtype);
  checkScalar(f, start, precision, name);
  // Supplied derivatives (SciPy's jac and hessp) travel with the Problem and replace autodiff.
  const problem: Problem = {
    name,
    dim: start.length,
    x0: start,
    f,
    grad: options.jac,
    hvp: options.hessp,
    dispose: () => {},
  };
  return new Objective(problem, precision);
}
