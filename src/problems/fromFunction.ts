import { numpy as np } from "@jax-js/jax";
import type { Problem } from "./problem.js";

/** A user's objective: f(x, np) with x a jax-js Array (consumed, as every jax-js argument) and np the jax-js numpy namespace. */
export type UserFunction = (x: np.Array, numpy: typeof np) => np.Array;

export interface FromFunctionOptions {
  /** ∇f(x, np), replacing autodiff. */
  jac?: UserFunction;
  /** The Hessian-vector product H(x)v, replacing autodiff. */
  hessp?: (x: np.Array, v: np.Array, numpy: typeof np) => np.Array;
  /** float64 (default, exact: the cpu device) or float32 (Wasm). */
  dtype?: "float32" | "float64";
  name?: string;
}

/** Any scalar function of a flat vector as a Problem, which `Objective` and every solver take. */
export function objectiveFromFunction(f: UserFunction, x0: ArrayLike<number>, options: FromFunctionOptions = {}): Problem {
  const { jac, hessp } = options;
  return {
    name: options.name ?? (f.name || "objective"),
    dim: x0.length,
    x0: Float64Array.from(x0),
    f: (x) => f(x, np),
    grad: jac && ((x) => jac(x, np)),
    hvp: hessp && ((x, v) => hessp(x, v, np)),
    dispose: () => {},
  };
}
