import { numpy as np } from "@jax-js/jax";

/**
 * An objective over a flat parameter vector θ ∈ ℝⁿ, as in the reference files and SciPy.
 * `f` is a jax-js function (so `grad`, `hessian` and `jvp` apply); it consumes θ and returns a scalar.
 * Its data (A, X, …) lives on the device of the precision it was built for.
 */
export interface Problem {
  name: string;
  dim: number;
  /** The default starting point. */
  x0: Float64Array;
  f: (theta: np.Array) => np.Array;
  /** ∇f, when given by hand (user objectives); otherwise autodiff of f. Consumes θ. */
  grad?: (theta: np.Array) => np.Array;
  /** H(θ)v, when given by hand; otherwise autodiff. Consumes θ and v. */
  hvp?: (theta: np.Array, v: np.Array) => np.Array;
  /** Known minimizer / minimum, when there is a closed form. */
  solution?: { x?: Float64Array; f?: number };
  /** How to split θ into named tensors (mlp: W1, b1, W2, b2), for pytree-shaped views. */
  shapes?: number[][];
  /** Releases the device data the problem holds. */
  dispose(): void;
}
