import { functionLine } from "../linesearch/lineFunction.js";
import { strongWolfe } from "../linesearch/strongWolfe.js";
import { norm, type Vec } from "../linalg/vector.js";
import type { OptimizeResult } from "./result.js";
import { onObjective, type SolverInput } from "./input.js";
import type { Objective } from "../problems/objective.js";
import { cholesky, choleskySolve } from "../linalg/matrix.js";
import type { SolverOptions } from "./options.js";
import { SolverRun } from "./run.js";
import { CoordinateNewtonSweep } from "./coordinateSweep.js";

export interface CoordinateDescentOptions extends SolverOptions {
  /**
   * How each block is minimized with the others fixed: "exact" solves H_BB δ = −g_B from |B|
   * Hessian-vector products (the exact block minimizer when f is quadratic in the block, as in the
   * convex examples of 8.7.2); "line-search" minimizes along −g_B by a strong Wolfe search with a
   * small c2 (a near-exact minimization along the block's gradient).
   */
  rule?: "exact" | "line-search";
  /** Curvature constant of the line-search rule (default 0.01). */
  c2?: number;
  /** Blocks of coordinate indices, visited in order (default: each coordinate alone). */
  blocks?: number[][];
}

/** The n×n-free block Hessian H_BB, one HVP per coordinate of the block (e_j ↦ H e_j, rows in B). */
function blockHessian(objective: Objective, x: Vec, block: number[]): Float64Array {
  const k = block.length;
  const H = new Float64Array(k * k);
  block.forEach((j, c) => {
    const e = new Float64Array(objective.dim);
    e[j] = 1;
    const column = objective.hvp(x, e);
    block.forEach((i, r) => (H[r * k + c] = column[i]));
  });
  return H;
}

/**
 * (Block) coordinate descent (8.7.2): minimize f over one block of variables at a time, the others
 * held fixed, sweeping the blocks cyclically; one iteration is one sweep. Each block update costs one
 * gradient (and, for the exact rule, |B| Hessian-vector products).
 */
export function coordinateDescent(
  input: SolverInput,
  x0: ArrayLike<number>,
  options: CoordinateDescentOptions = {},
): OptimizeResult {
  if (typeof input === "function")
    return onObjective(input, x0, (objective) => coordinateDescent(objective, x0, options));
  const objective = input;
  const n = objective.dim;
  const { rule = "exact", blocks = Array.from({ length: n }, (_, i) => [i]), c2 = 0.01 } = options;
  const covered = new Set(blocks.flat());
  if (
    blocks.flat().some((i) => !Number.isInteger(i) || i < 0 || i >= n) ||
    covered.size !== n ||
    blocks.flat().length !== n
  ) {
    throw new Error(`coordinate blocks must partition 0..${n - 1}, got ${JSON.stringify(blocks)}`);
  }
  // Cyclic coordinate descent converges linearly and slowly on coupled problems (4 700 sweeps on
  // 10-D Rosenbrock), so its default budget is 1000·n sweeps rather than the 200·n of the other solvers.
  const run = new SolverRun(objective, { ...options, maxIter: options.maxIter ?? 1000 * n });
  const x: Vec = Float64Array.from(x0);
  if (rule === "exact" && blocks.every((block) => block.length === 1)) return compiledSweeps(run, x, blocks.flat(), c2);
  let [f, g] = objective.valueAndGrad(x);
  for (;;) {
    const done = run.finishIf(x, f, g);
    if (done) return done;
    for (const [b, block] of blocks.entries()) {
      if (b > 0) [f, g] = objective.valueAndGrad(x);
      const gB = Float64Array.from(block, (i) => g[i]);
      if (norm(gB) === 0) continue;
      let delta: Vec | undefined;
      if (rule === "exact") {
        const L = cholesky(blockHessian(objective, x, block), block.length);
        if (L) delta = choleskySolve(L, gB).map((v) => -v);
      }
      if (!delta) delta = blockLineSearch(objective, x, block, gB, f, c2);
      block.forEach((i, k) => (x[i] += delta![k]));
    }
    [f, g] = objective.valueAndGrad(x);
    run.record(x, f, norm(g));
  }
}

/**
 * Single coordinates with the exact rule: each sweep is one compiled call of safeguarded coordinate
 * Newton steps; a coordinate whose step is refused (∂²f/∂x_i² <= 0, or f would rise) gets the line search.
 */
function compiledSweeps(run: SolverRun, x: Vec, order: number[], c2: number): OptimizeResult {
  const objective = run.objective;
  const sweep = new CoordinateNewtonSweep(objective);
  try {
    let [f, g] = objective.valueAndGrad(x);
    for (;;) {
      const done = run.finishIf(x, f, g);
      if (done) return done;
      const { rejected } = sweep.run(x, order, f);
      for (const i of rejected) {
        [f, g] = objective.valueAndGrad(x);
        if (g[i] === 0) continue;
        x[i] += blockLineSearch(objective, x, [i], Float64Array.of(g[i]), f, c2)[0];
      }
      [f, g] = objective.valueAndGrad(x);
      run.record(x, f, norm(g), { refused: rejected.length });
    }
  } finally {
    sweep.dispose();
  }
}

/** A near-exact strong Wolfe step along −g_B within the block (when the block is not convex, or by request). */
function blockLineSearch(objective: Objective, x: Vec, block: number[], gB: Vec, f0: number, c2: number): Vec {
  const at = (alpha: number) => {
    const y = Float64Array.from(x);
    block.forEach((i, k) => (y[i] -= alpha * gB[k]));
    return y;
  };
  const slopeAt = (alpha: number) => {
    const [, g] = objective.valueAndGrad(at(alpha));
    return -block.reduce((s, i, k) => s + g[i] * gB[k], 0);
  };
  const line = functionLine((alpha) => objective.value(at(alpha)), slopeAt);
  const search = strongWolfe(line, f0, -(norm(gB) ** 2), { c2, alpha0: 1 / Math.max(norm(gB), 1) });
  return Float64Array.from(gB, (v) => -search.alpha * v);
}
