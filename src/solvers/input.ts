import { objectiveFromFunction, type ScalarFunction } from "../problems/fromFunction.js";
import type { Objective } from "../problems/objective.js";

/** What a solver minimizes: an Objective (the counted host view) or a plain jax-js function f(x) → scalar Array. */
export type SolverInput = Objective | ScalarFunction;

/**
 * Runs `solve` on an Objective: the one given, or one built from a plain f at x0 (float64, derivatives by
 * autodiff) and disposed afterwards. For another dtype, `jac` or `hessp`, build it with objectiveFromFunction.
 */
export function onObjective<R>(input: SolverInput, x0: ArrayLike<number>, solve: (objective: Objective) => R): R {
  if (typeof input !== "function") return solve(input);
  const objective = objectiveFromFunction(input, Array.from(x0));
  try {
    return solve(objective);
  } finally {
    objective.dispose();
  }
}
