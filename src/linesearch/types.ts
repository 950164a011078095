/**
 * What line searches and minibatch solvers need of an objective: values and gradients of host
 * points, counted. The Objective of src/problems is one; a minibatch closure is another.
 */
export interface Evaluator {
  readonly counts: { fevals: number; gevals: number };
  value(x: ArrayLike<number>): number;
  valueAndGrad(x: ArrayLike<number>): [number, Float64Array];
}

/**
 * A line search looks along a direction p from x at φ(α) = f(x + αp), φ'(α) = ∇f(x + αp)ᵀp
 * (Nocedal & Wright, ch. 3). It sees φ only through this interface, which counts what it costs.
 */
export interface LineFunction {
  /** φ(α): one function evaluation. */
  value(alpha: number): number;
  /** φ(α) and φ'(α): one gradient evaluation (plus one f unless φ(α) was the last value asked for). */
  valueAndSlope(alpha: number): [number, number];
  /** Evaluations spent through this line so far. */
  readonly counts: { fevals: number; gevals: number };
}

export interface LineSearchResult {
  /** True when the returned step satisfies the conditions the search promises. */
  ok: boolean;
  /** The step length (0 when no step could be taken). */
  alpha: number;
  /** φ(alpha) (NaN when the search did not evaluate f, as the exact quadratic step does not). */
  f: number;
  /** φ'(alpha), when it was evaluated. */
  slope?: number;
  fevals: number;
  gevals: number;
  message: string;
}

/** A search's result builder: the evaluations it reports are those spent since this was called. */
export function searchResult(line: LineFunction) {
  const start = { ...line.counts };
  return (ok: boolean, step: { a: number; f: number; d?: number }, message: string): LineSearchResult => ({
    ok,
    alpha: step.a,
    f: step.f,
    ...(step.d !== undefined && { slope: step.d }),
    fevals: line.counts.fevals - start.fevals,
    gevals: line.counts.gevals - start.gevals,
    message,
  });
}
