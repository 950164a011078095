import { precisionOf, random, type Precision } from "../engine/index.js";
import { SCIPY_SUITE } from "../problems/scipySuite.js";
import { MGH_FUNCTIONS, mghProblem } from "../problems/mgh/index.js";
import type { Problem } from "../problems/problem.js";

/** One problem from one start: the unit a solver is scored on. */
export interface BenchmarkCase {
  suite: "mgh" | "scipy";
  /** Unique label, e.g. "wood@x10" or "lj4#3". */
  id: string;
  /** The problem's name (without the start). */
  problem: string;
  dim: number;
  x0: number[];
  /** The published minimum value, when known. */
  fstar?: number;
  /**
   * Where f runs: exp/sin/pow need the exact cpu float64 device; +, ×, sqrt and matmul are exact on
   * Wasm float64 too (DESIGN.md), 3-60× faster.
   */
  precision: Precision;
  build(): Problem;
}

/** Exact float64 on Wasm for every case (engine/f64 makes the transcendental ones exact there too). */
export const EXACT = precisionOf("float64");

/**
 * The MGH set from the standard start scaled by each of `scales` (the paper's 1, 10, 100). A scaled
 * start equal to the unscaled one (x0 = 0: watson) is listed once.
 */
export function mghCases(scales: number[] = [1]): BenchmarkCase[] {
  const cases: BenchmarkCase[] = [];
  for (const fn of MGH_FUNCTIONS) {
    const x0 = fn.x0(fn.n);
    for (const scale of scales) {
      if (scale !== 1 && x0.every((v) => v === 0) && scales.includes(1)) continue;
      const precision = EXACT;
      cases.push({
        suite: "mgh",
        id: scale === 1 ? fn.name : `${fn.name}@x${scale}`,
        problem: fn.name,
        dim: fn.n,
        x0: x0.map((v) => v * scale),
        fstar: fn.fstar?.(fn.n),
        precision,
        build: () => mghProblem(fn.name, { precision, scale }),
      });
    }
  }
  return cases;
}

/** SciPy's protocol: 10 starts per problem, uniform in the problem's box, drawn from `seed`. */
export function scipyCases(seed = 0, startsPerProblem = 10): BenchmarkCase[] {
  const cases: BenchmarkCase[] = [];
  for (const [index, problem] of SCIPY_SUITE.entries()) {
    const keys = random.splitKey(random.foldIn(random.randomKey(seed), index), startsPerProblem);
    keys.forEach((key, k) => {
      const precision = EXACT;
      cases.push({
        suite: "scipy",
        id: `${problem.name}#${k}`,
        problem: problem.name,
        dim: problem.dim,
        x0: Array.from(random.uniform(key, problem.dim, problem.low, problem.high)),
        fstar: problem.fstar,
        precision,
        build: () => problem.build(precision),
      });
    });
  }
  return cases;
}
