import { numpy as np } from "@jax-js/jax";
import { random, toDevice, type Precision } from "../engine/index.js";
import { orthonormalColumns } from "../nn/init.js";
import { quadraticProblem, rosenbrockProblem } from "./objectives.js";
import type { Problem } from "./problem.js";

const twoD = (
  name: string,
  x0: [number, number],
  f: (x: np.Array, y: np.Array) => np.Array,
  solution?: Problem["solution"],
): Problem => ({
  name,
  dim: 2,
  x0: Float64Array.from(x0),
  f: (theta) => f(theta.ref.slice(0), theta.slice(1)),
  solution,
  dispose: () => {},
});

/** Beale's function; minimum 0 at (3, 0.5). */
export const beale = () =>
  twoD(
    "beale",
    [1, 1],
    (x, y) => {
      const term = (c: number, p: number) =>
        np.square(
          x.ref
            .sub(x.ref.mul(np.power(y.ref, p)))
            .neg()
            .add(c),
        );
      const out = term(1.5, 1).add(term(2.25, 2)).add(term(2.625, 3));
      x.dispose();
      y.dispose();
      return out;
    },
    { x: Float64Array.from([3, 0.5]), f: 0 },
  );

/** f = x² − y²: a saddle at the origin (8.2.3), started just off the ridge. */
export const saddle = () => twoD("saddle", [1, 1e-3], (x, y) => np.square(x).sub(np.square(y)));

/** Himmelblau's function: four minima of value 0, one local maximum, four saddles. */
export const himmelblau = () =>
  twoD(
    "himmelblau",
    [0, 0],
    (x, y) => np.square(np.square(x.ref).add(y.ref).sub(11)).add(np.square(x.add(np.square(y)).sub(7))),
    { f: 0 },
  );

/**
 * The coordinate-descent example of 8.7.2: f = (x1 − x2)² + α(x1² + x2²), minimum 0 at the origin.
 * α travels as a device scalar: jax-js jit rounds JS number constants to float32 (0.1 is not exact there).
 */
export function coupled(alpha = 0.1, precision: Precision = { dtype: np.float64, device: "cpu" }): Problem {
  const a = toDevice([alpha], [], precision);
  const problem = twoD(
    "coupled",
    [1, -0.5],
    (x, y) => np.square(x.ref.sub(y.ref)).add(np.square(x).add(np.square(y)).mul(a.ref)),
    { x: new Float64Array(2), f: 0 },
  );
  return { ...problem, dispose: () => a.dispose() };
}

/**
 * A random quadratic ½θᵀAθ − bᵀθ with A = Q diag(λ) Qᵀ, eigenvalues log-spaced from 1 to `cond`
 * (so its condition number is exactly `cond`), b and Q drawn from `seed`; start at 0.
 */
export function randomQuadratic(dim: number, cond: number, precision: Precision, seed = 0): Problem {
  if (!(dim >= 1) || !(cond >= 1))
    throw new Error(`quadratic needs --dim >= 1 and --cond >= 1, got ${dim} and ${cond}`);
  const [qKey, bKey] = random.splitKey(random.randomKey(seed));
  const q = orthonormalColumns(random.normal(qKey, dim * dim), dim, dim);
  const eig = Array.from({ length: dim }, (_, i) => (dim === 1 ? 1 : cond ** (i / (dim - 1))));
  // A[i][j] = Σ_k (q_ik λ_k) q_jk, summed in k order; plain
  // loops over typed arrays (closures took minutes at dim 2000).
  const A: number[][] = [];
  const scaledRow = new Float64Array(dim);
  for (let i = 0; i < dim; i++) {
    for (let k = 0; k < dim; k++) scaledRow[k] = q[i * dim + k] * eig[k];
    const row = new Array<number>(dim);
    for (let j = 0; j < dim; j++) {
      let sum = 0;
      for (let k = 0, o = j * dim; k < dim; k++) sum += scaledRow[k] * q[o + k];
      row[j] = sum;
    }
    A.push(row);
  }
  const b = Array.from(random.normal(bKey, dim));
  return quadraticProblem(A, b, precision, `quadratic${dim}-cond${cond}`);
}

export const BUILTIN_PROBLEMS = ["rosenbrock", "quadratic", "beale", "saddle", "himmelblau", "coupled"] as const;
export type BuiltinName = (typeof BUILTIN_PROBLEMS)[number];

export function builtinProblem(
  name: BuiltinName,
  opts: { dim?: number; cond?: number; seed?: number; precision: Precision },
): Problem {
  switch (name) {
    case "rosenbrock":
      return rosenbrockProblem(opts.dim ?? 2);
    case "quadratic":
      return randomQuadratic(opts.dim ?? 10, opts.cond ?? 100, opts.precision, opts.seed);
    case "beale":
      return beale();
    case "saddle":
      return saddle();
    case "himmelblau":
      return himmelblau();
    case "coupled":
      return coupled(0.1, opts.precision);
  }
}
