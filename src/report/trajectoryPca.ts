/**
 * The plane of a training trajectory (Li et al. 2018, §7): PCA of the matrix whose rows are θ_i − θ*
 * (every snapshot but the last, θ* = θ_n), centred as scikit-learn's PCA does in Li et al.'s code. The
 * top two principal directions capture most of the path, where random directions in n dimensions are
 * nearly orthogonal to it. The n × n Gram matrix is decomposed instead of the dim × dim covariance.
 */
import { dot, symmetricEigen } from "../linalg/index.js";

export interface TrajectoryPca {
  /** The top two principal directions, unit vectors in parameter space. */
  directions: [Float64Array, Float64Array];
  /** The share of the variance of the rows θ_i − θ* along each direction. */
  explained: [number, number];
  /** (⟨θ_i − θ*, d₁⟩, ⟨θ_i − θ*, d₂⟩) for every snapshot and θ* itself (last, at the origin). */
  coordinates: [number, number][];
}

/**
 * `snapshots`: the flat parameters θ_0 … θ_{n−1} along the run; `final`: θ*.
 * Needs three snapshots (two centred components).
 */
export function trajectoryPca(snapshots: Float64Array[], final: Float64Array): TrajectoryPca {
  const n = snapshots.length;
  if (n < 3) throw new Error(`PCA directions need at least 3 snapshots of the trajectory, got ${n}`);
  const dim = final.length;
  const rows = snapshots.map((s) => {
    if (s.length !== dim) throw new Error(`snapshot of ${s.length} parameters, θ* has ${dim}`);
    return Float64Array.from(s, (v, j) => v - final[j]);
  });
  const mean = new Float64Array(dim);
  for (const r of rows) for (let j = 0; j < dim; j++) mean[j] += r[j] / n;
  const centred = rows.map((r) => Float64Array.from(r, (v, j) => v - mean[j]));
  const gram = new Float64Array(n * n);
  for (let a = 0; a < n; a++)
    for (let b = a; b < n; b++) gram[a * n + b] = gram[b * n + a] = dot(centred[a], centred[b]);
  const { values, vectors } = symmetricEigen(gram, n);
  const order = Array.from(values.keys()).sort((a, b) => values[b] - values[a]);
  const total = values.reduce((s, v) => s + Math.max(v, 0), 0);
  // Below round-off, the second direction would be noise.
  if (!(values[order[1]] > 1e-12 * total))
    throw new Error("the trajectory spans fewer than two directions: PCA has no second component");
  const direction = (k: number) => {
    // d = Xᵀv/‖Xᵀv‖: the principal direction of the covariance XᵀX from the Gram matrix's eigenvector v.
    const d = new Float64Array(dim);
    centred.forEach((row, i) => {
      const w = vectors[i * n + order[k]];
      for (let j = 0; j < dim; j++) d[j] += w * row[j];
    });
    const length = Math.sqrt(dot(d, d));
    return d.map((v) => v / length);
  };
  const directions: [Float64Array, Float64Array] = [direction(0), direction(1)];
  return {
    directions,
    explained: [values[order[0]] / total, values[order[1]] / total],
    coordinates: [...rows, new Float64Array(dim)].map((r) => [dot(r, directions[0]), dot(r, directions[1])]),
  };
}
