import {
  objectiveFromFunction,
  type FromFunctionOptions,
  type ScalarFunction,
  type StartingPoint,
} from "../problems/fromFunction.js";
import { counted, objectiveHessian } from "./operator.js";
import { extremeEigenpairs, type ExtremeEigenOptions } from "./spectrum.js";

export interface FunctionSpectrumOptions
  extends Pick<FromFunctionOptions, "jac" | "hessp" | "dtype">,
    Pick<ExtremeEigenOptions, "tol" | "maxSteps" | "key"> {
  /** How many of the largest eigenvalues (default 1). */
  top?: number;
  /** How many of the smallest eigenvalues (default 0). */
  bottom?: number;
}

export interface FunctionSpectrum {
  /** Largest eigenvalues, descending. */
  top: number[];
  /** Smallest eigenvalues, ascending. */
  bottom: number[];
  /** Hessian-vector products spent (Lanczos steps). */
  hvps: number;
  /** Every wanted eigenvalue met the tolerance. */
  converged: boolean;
}

/**
 * Extreme eigenvalues of ∇²f(x) for any function f of a flat vector (the same contract as `minimize`'s f),
 * by Lanczos on Hessian-vector products: H is never formed. float64 (exact) by default.
 */
export function hessianEigenvalues(
  f: ScalarFunction,
  x: StartingPoint,
  opts: FunctionSpectrumOptions = {},
): FunctionSpectrum {
  const objective = objectiveFromFunction(f, x, { jac: opts.jac, hessp: opts.hessp, dtype: opts.dtype });
  try {
    const op = counted(objectiveHessian(objective, objective.problem.x0));
    const result = extremeEigenpairs(op, {
      top: opts.top ?? 1,
      bottom: opts.bottom ?? 0,
      tol: opts.tol,
      maxSteps: opts.maxSteps,
      key: opts.key,
    });
    return {
      top: result.top.map((p) => p.value),
      bottom: result.bottom.map((p) => p.value),
      hvps: op.products,
      converged: result.converged,
    };
  } finally {
    objective.dispose();
  }
}

/** The k largest eigenvalues of ∇²f(x), descending. */
export function topEigenvalues(
  f: ScalarFunction,
  x: StartingPoint,
  k = 1,
  opts: Omit<FunctionSpectrumOptions, "top" | "bottom"> = {},
): number[] {
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`topEigenvalues: k must be a positive integer, got ${k}`);
  return hessianEigenvalues(f, x, { ...opts, top: k }).top;
}
