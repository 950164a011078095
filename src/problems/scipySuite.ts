import type { Precision } from "../engine/index.js";
import { mghProblem } from "./mgh/index.js";
import { Scope, type Expr } from "./mgh/expr.js";
import { rosenbrockProblem } from "./objectives.js";
import type { Problem } from "./problem.js";

/**
 * SciPy's smooth unbounded benchmark set (scipy benchmarks/benchmarks/optimize.py, BenchSmoothUnbounded):
 * each problem with its dimension, the box its random starts are drawn from (uniform, 10 per problem)
 * and its known minimum.
 */
export interface ScipySuiteProblem {
  name: string;
  dim: number;
  /** Starts are drawn uniformly from [low, high]^dim. */
  low: number;
  high: number;
  fstar: number;
  build(precision: Precision): Problem;
}

/** A scalar (not sum-of-squares) objective written with the Expr helpers. */
const scalarProblem = (
  name: string,
  dim: number,
  precision: Precision,
  body: (x: Expr, scope: Scope) => Expr,
  fstar: number,
): Problem => ({
  name,
  dim,
  x0: new Float64Array(dim),
  f: (x) => {
    const scope = new Scope(precision);
    return scope.release(body(scope.own(x), scope));
  },
  solution: { f: fstar },
  dispose: () => {},
});

/** The 4-atom Lennard-Jones cluster, E = Σ_{i<j} 4(r_ij^−12 − r_ij^−6) (ε = σ = 1); the tetrahedron gives −6. */
function lennardJones(atoms: number, precision: Precision): Problem {
  const pairs: [number, number][] = [];
  for (let i = 0; i < atoms; i++) for (let j = i + 1; j < atoms; j++) pairs.push([i, j]);
  // Differences c_j − c_i for every pair and axis, then their squares summed per pair: r².
  const difference = pairs.flatMap(([i, j]) =>
    [0, 1, 2].map((k) => Array.from({ length: 3 * atoms }, (_, c) => (c === 3 * j + k ? 1 : c === 3 * i + k ? -1 : 0))),
  );
  const perPair = pairs.map((_, p) =>
    Array.from({ length: 3 * pairs.length }, (_, c) => (Math.floor(c / 3) === p ? 1 : 0)),
  );
  return scalarProblem(
    `lj${atoms}`,
    3 * atoms,
    precision,
    (x) => {
      const r2 = x.leftMul(difference).square().leftMul(perPair);
      const inv6 = r2.mul(r2).mul(r2).rdiv(1);
      return inv6.square().sub(inv6).mul(4).sum();
    },
    -6,
  );
}

export const SCIPY_SUITE: readonly ScipySuiteProblem[] = [
  { name: "rosenbrock3", dim: 3, low: -3, high: 3, fstar: 0, build: () => rosenbrockProblem(3, "rosenbrock3") },
  {
    name: "simple-quadratic",
    dim: 3,
    low: -2,
    high: 2,
    fstar: 0,
    build: (p) => scalarProblem("simple-quadratic", 3, p, (x) => x.square().sum(), 0),
  },
  // Σ x_i² + x_1: minimum −1/4 at (−1/2, 0, 0).
  {
    name: "asymmetric-quadratic",
    dim: 3,
    low: -2,
    high: 2,
    fstar: -0.25,
    build: (p) => scalarProblem("asymmetric-quadratic", 3, p, (x) => x.square().sum().add(x.at(0)), -0.25),
  },
  {
    name: "sin-1d",
    dim: 1,
    low: -2,
    high: 2,
    fstar: -1,
    build: (p) => scalarProblem("sin-1d", 1, p, (x) => x.at(0).sin(), -1),
  },
  {
    name: "booth",
    dim: 2,
    low: 0,
    high: 10,
    fstar: 0,
    build: (p) =>
      scalarProblem(
        "booth",
        2,
        p,
        (x) =>
          x
            .at(0)
            .add(x.at(1).mul(2))
            .sub(7)
            .square()
            .add(x.at(0).mul(2).add(x.at(1)).sub(5).square()),
        0,
      ),
  },
  { name: "beale", dim: 2, low: 0, high: 10, fstar: 0, build: (p) => mghProblem("beale", { precision: p }) },
  { name: "lj4", dim: 12, low: -2, high: 2, fstar: -6, build: (p) => lennardJones(4, p) },
];

export function scipySuiteProblem(name: string): ScipySuiteProblem {
  const found = SCIPY_SUITE.find((p) => p.name === name);
  if (!found)
    throw new Error(`unknown SciPy benchmark problem "${name}" (${SCIPY_SUITE.map((p) => p.name).join(", ")})`);
  return found;
}
