import { numpy as np, nn as jnn } from "@jax-js/jax";
import { layoutOfShapes, splitFlat, toDevice, type Precision } from "../engine/index.js";
import type { Problem } from "./problem.js";

const flat = (rows: number[][]) => Float64Array.from(rows.flat());

/** f = ½ θᵀAθ − bᵀθ (A symmetric positive definite): minimizer A⁻¹b. */
export function quadraticProblem(
  A: number[][],
  b: number[],
  precision: Precision,
  name = "quadratic",
  x0?: ArrayLike<number>,
): Problem {
  const n = b.length;
  if (A.length !== n || A.some((row) => row.length !== n)) throw new Error(`quadratic: A must be ${n}×${n} to match b`);
  const Ad = toDevice(flat(A), [n, n], precision);
  const bd = toDevice(b, [n], precision);
  return {
    name,
    dim: n,
    x0: Float64Array.from(x0 ?? new Float64Array(n)),
    f: (theta) => np.dot(theta.ref, np.matmul(Ad.ref, theta.ref)).mul(0.5).sub(np.dot(bd.ref, theta)),
    dispose: () => (Ad.dispose(), bd.dispose()),
  };
}

/** Rosenbrock's function in n dimensions, Σ_{i<n−1} 100(x_{i+1} − x_i²)² + (1 − x_i)²; minimum 0 at (1, …, 1). */
export function rosenbrockProblem(n: number, name = `rosenbrock${n}`, x0?: ArrayLike<number>): Problem {
  if (!(n >= 2)) throw new Error(`rosenbrock needs dimension >= 2, got ${n}`);
  const start = x0 ? Float64Array.from(x0) : Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
  return {
    name,
    dim: n,
    x0: start,
    f: (x) => {
      const head = x.ref.slice([0, n - 1]);
      const tail = x.slice([1, n]);
      const valley = np.square(tail.sub(np.square(head.ref))).mul(100);
      return valley.add(np.square(head.neg().add(1))).sum();
    },
    solution: { x: new Float64Array(n).fill(1), f: 0 },
    dispose: () => {},
  };
}

/** Regularized logistic regression, mean_i log(1 + exp(−s_i x_i·w)) + λ/2 ‖w‖², s_i = 2y_i − 1. */
export function logisticProblem(
  X: number[][],
  y: number[],
  lam: number,
  precision: Precision,
  name = "logistic",
  x0?: ArrayLike<number>,
): Problem {
  const [m, d] = [X.length, X[0]?.length ?? 0];
  if (y.length !== m) throw new Error(`logistic: X has ${m} rows but y has ${y.length} labels`);
  const Xd = toDevice(flat(X), [m, d], precision);
  const sd = toDevice(
    y.map((v) => 2 * v - 1),
    [m],
    precision,
  );
  // jax-js jit rounds JS number constants to float32 (λ/2 = 5e-4 and mean's 1/m are not exact there):
  // λ/2 travels as a device scalar and the mean divides by the integer m, so f is exact under jit.
  const halfLam = toDevice([lam / 2], [], precision);
  return {
    name,
    dim: d,
    x0: Float64Array.from(x0 ?? new Float64Array(d)),
    // softplus(−z) = log(1 + e^{−z}).
    f: (w) =>
      jnn.softplus(np.matmul(Xd.ref, w.ref).mul(sd.ref).neg()).sum().div(m).add(np.dot(w.ref, w).mul(halfLam.ref)),
    dispose: () => (Xd.dispose(), sd.dispose(), halfLam.dispose()),
  };
}

/**
 * The reference files' one-hidden-layer network: θ = concat(W1 (d×h), b1, W2 (h×c), b2), row-major;
 * H = tanh(X W1 + b1), Z = H W2 + b2, f = mean_i −Σ_j Y_ij log_softmax(Z)_ij.
 */
export function mlpProblem(
  X: number[][],
  Y: number[][],
  shapes: number[][],
  precision: Precision,
  name = "mlp",
  x0?: ArrayLike<number>,
): Problem {
  const [[d, h], , [h2, c]] = shapes;
  if (shapes.length !== 4 || h2 !== h || X[0]?.length !== d || Y[0]?.length !== c)
    throw new Error(
      `mlp: shapes ${JSON.stringify(shapes)} do not fit X (${X[0]?.length} columns) and Y (${Y[0]?.length} columns)`,
    );
  const m = X.length;
  const Xd = toDevice(flat(X), [m, d], precision);
  const Yd = toDevice(flat(Y), [m, c], precision);
  const layout = layoutOfShapes(shapes);
  const dim = layout.size;
  return {
    name,
    dim,
    x0: Float64Array.from(x0 ?? new Float64Array(dim)),
    shapes,
    f: (theta) => {
      const [W1, b1, W2, b2] = splitFlat(theta, layout);
      const H = np.tanh(np.matmul(Xd.ref, W1).add(b1));
      const Z = np.matmul(H, W2).add(b2);
      return jnn.logSoftmax(Z, -1).mul(Yd.ref).sum(-1).mean().neg();
    },
    dispose: () => (Xd.dispose(), Yd.dispose()),
  };
}
