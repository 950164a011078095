/** Panel 3: the exact curvature of a 2-D surface at one point, through the library's curvature functions. */
import { curvatureAt, engine, objectiveHessian, Objective, type Surface } from "descent/browser";
import type { DTypeChoice } from "./state.js";

export interface SurfacePointCurvature {
  hessian: [[number, number], [number, number]];
  /** Ascending, with unit eigenvectors (largest entry positive). */
  eigenvalues: [number, number];
  eigenvectors: [[number, number], [number, number]];
  gTg: number;
  gHg: number;
  kind: string;
  /** ½ε²gᵀHg > εgᵀg for the learning rate ε (8.2.1): a gradient step of that size goes uphill. */
  illConditioned: boolean | null;
  /** The most negative curvature direction when λ_min < 0. */
  saddleDirection: [number, number] | null;
}

const canonical = (v: [number, number]): [number, number] => {
  const n = Math.hypot(v[0], v[1]);
  const u: [number, number] = [v[0] / n, v[1] / n];
  const big = Math.abs(u[0]) >= Math.abs(u[1]) ? u[0] : u[1];
  return big < 0 ? [-u[0], -u[1]] : u;
};

/** Eigenpairs of the symmetric [[a, b], [b, d]] in closed form. */
function symmetricEigen(
  a: number,
  b: number,
  d: number,
): { values: [number, number]; vectors: [[number, number], [number, number]] } {
  const mean = (a + d) / 2;
  const radius = Math.hypot((a - d) / 2, b);
  const values: [number, number] = [mean - radius, mean + radius];
  const vectorOf = (lambda: number): [number, number] =>
    Math.abs(b) > 1e-300 ? canonical([lambda - d, b]) : a <= d === (lambda === values[0]) ? [1, 0] : [0, 1];
  return { values, vectors: [vectorOf(values[0]), vectorOf(values[1])] };
}

export function surfacePointCurvature(
  surface: Surface,
  point: [number, number],
  lr: number | undefined,
  dtype: DTypeChoice,
  seed: number,
): SurfacePointCurvature {
  const precision = engine.precisionOf(dtype);
  const problem = surface.problem(precision);
  const objective = new Objective(problem, precision);
  try {
    // H's columns are Hessian-vector products with e₁ and e₂ (autodiff, exact in float64).
    const H = objectiveHessian(objective, point);
    const c1 = H.apply(Float64Array.of(1, 0));
    const c2 = H.apply(Float64Array.of(0, 1));
    const offDiagonal = (c1[1] + c2[0]) / 2;
    const eig = symmetricEigen(c1[0], offDiagonal, c2[1]);
    const report = curvatureAt(objective, point, { key: engine.random.randomKey(seed) });
    const saddle = eig.values[0] < 0 ? eig.vectors[0] : null;
    return {
      hessian: [
        [c1[0], offDiagonal],
        [offDiagonal, c2[1]],
      ],
      eigenvalues: eig.values,
      eigenvectors: eig.vectors,
      gTg: report.gTg,
      gHg: report.gHg,
      kind: report.point.kind,
      illConditioned: lr === undefined ? null : 0.5 * lr * lr * report.gHg > lr * report.gTg,
      saddleDirection: saddle,
    };
  } finally {
    objective.dispose();
    problem.dispose();
  }
}
