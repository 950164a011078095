import { random } from "../engine/index.js";
import { cholesky, choleskySolve } from "../linalg/matrix.js";

/** A row-major m×n matrix on the host. */
export interface HostMatrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export interface SparseCodingOptions {
  /** Number of dictionary atoms k (columns of W, codes per example). */
  atoms: number;
  /** Weight λ of the sparsity penalty λ Σ|H_ij|. */
  lambda: number;
  /** Weight μ of μ‖W‖²: keeps the problem well posed (without it W grows while H shrinks). */
  ridge: number;
  /** Outer sweeps (one H block, then one W block). Default 100. */
  maxIter?: number;
  /** Stop when a sweep lowers J by less than tol·J. Default 1e-10. */
  tol?: number;
  seed?: number;
}

export interface SparseCodingResult {
  H: HostMatrix;
  W: HostMatrix;
  /** J after each sweep (non-increasing: every block is minimized exactly). */
  objective: number[];
  iterations: number;
  converged: boolean;
}

const softThreshold = (z: number, t: number) => (z > t ? z - t : z < -t ? z + t : 0);

/** J(H, W) = λ Σ|H_ij| + ‖X − HWᵀ‖²_F + μ‖W‖²_F. */
export function sparseCodingObjective(
  X: HostMatrix,
  H: HostMatrix,
  W: HostMatrix,
  lambda: number,
  ridge: number,
): number {
  const [m, d, k] = [X.rows, X.cols, H.cols];
  let fit = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < d; j++) {
      let v = X.data[i * d + j];
      for (let a = 0; a < k; a++) v -= H.data[i * k + a] * W.data[j * k + a];
      fit += v * v;
    }
  }
  const l1 = H.data.reduce((s, v) => s + Math.abs(v), 0);
  const w2 = W.data.reduce((s, v) => s + v * v, 0);
  return lambda * l1 + fit + ridge * w2;
}

/**
 * The H block: for each example, the lasso min_h λ‖h‖₁ + ‖x − W h‖², solved by cyclic coordinate
 * descent whose every step is an exact one-variable minimization, h_a = S(W_aᵀr, λ/2)/‖W_a‖²
 * (S the soft threshold), until no code moves by more than `tol`.
 */
function updateCodes(X: HostMatrix, H: HostMatrix, W: HostMatrix, lambda: number, tol = 1e-12, maxSweeps = 1000): void {
  const [m, d, k] = [X.rows, X.cols, H.cols];
  const colNorm2 = Float64Array.from({ length: k }, (_, a) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += W.data[j * k + a] ** 2;
    return s;
  });
  const r = new Float64Array(d);
  for (let i = 0; i < m; i++) {
    const h = H.data.subarray(i * k, (i + 1) * k);
    for (let j = 0; j < d; j++) {
      let v = X.data[i * d + j];
      for (let a = 0; a < k; a++) v -= h[a] * W.data[j * k + a];
      r[j] = v;
    }
    for (let sweep = 0; sweep < maxSweeps; sweep++) {
      let moved = 0;
      for (let a = 0; a < k; a++) {
        if (colNorm2[a] === 0) continue;
        let wr = 0;
        for (let j = 0; j < d; j++) wr += W.data[j * k + a] * r[j];
        const next = softThreshold(wr + colNorm2[a] * h[a], lambda / 2) / colNorm2[a];
        const delta = next - h[a];
        if (delta === 0) continue;
        for (let j = 0; j < d; j++) r[j] -= delta * W.data[j * k + a];
        h[a] = next;
        moved = Math.max(moved, Math.abs(delta));
      }
      if (moved <= tol) break;
    }
  }
}

/** The W block in closed form (ridge regression): W = XᵀH (HᵀH + μI)⁻¹, the exact minimizer for μ > 0. */
function updateDictionary(X: HostMatrix, H: HostMatrix, W: HostMatrix, ridge: number): void {
  const [m, d, k] = [X.rows, X.cols, H.cols];
  const G = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      let s = a === b ? ridge : 0;
      for (let i = 0; i < m; i++) s += H.data[i * k + a] * H.data[i * k + b];
      G[a * k + b] = s;
    }
  }
  const L = cholesky(G, k);
  if (!L) throw new Error("sparse coding: HᵀH + μI is not positive definite (use ridge > 0)");
  for (let j = 0; j < d; j++) {
    const rhs = new Float64Array(k);
    for (let a = 0; a < k; a++) for (let i = 0; i < m; i++) rhs[a] += X.data[i * d + j] * H.data[i * k + a];
    W.data.set(choleskySolve(L, rhs), j * k);
  }
}

/**
 * Sparse coding by block coordinate descent (8.7.2): J(H, W) = λΣ|H| + ‖X − HWᵀ‖² + μ‖W‖² is not
 * convex jointly, but it is convex in H with W fixed (a lasso per example) and in W with H fixed
 * (ridge regression), so alternating exact minimizations over the two blocks lowers J every sweep.
 */
export function sparseCoding(X: HostMatrix, options: SparseCodingOptions): SparseCodingResult {
  const { atoms: k, lambda, ridge, maxIter = 100, tol = 1e-10, seed = 0 } = options;
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`atoms must be a positive integer, got ${k}`);
  if (!(lambda >= 0) || !(ridge > 0))
    throw new Error(`sparse coding needs lambda >= 0 and ridge > 0, got ${lambda} and ${ridge}`);
  const H: HostMatrix = { rows: X.rows, cols: k, data: new Float64Array(X.rows * k) };
  const W: HostMatrix = {
    rows: X.cols,
    cols: k,
    data: random.normal(random.randomKey(seed), X.cols * k, 0, 1 / Math.sqrt(X.cols)),
  };
  const objective: number[] = [];
  let previous = Infinity;
  for (let it = 1; it <= maxIter; it++) {
    updateCodes(X, H, W, lambda);
    updateDictionary(X, H, W, ridge);
    const J = sparseCodingObjective(X, H, W, lambda, ridge);
    objective.push(J);
    if (previous - J <= tol * Math.abs(J)) return { H, W, objective, iterations: it, converged: true };
    previous = J;
  }
  return { H, W, objective, iterations: maxIter, converged: false };
}
