/**
 * Eigen-decomposition of a symmetric tridiagonal matrix by the implicit QL method with Wilkinson
 * shifts (EISPACK's tql2, as in JAMA). This is the small dense problem at the heart of Lanczos:
 * the Ritz values are T's eigenvalues, and the first components of its eigenvectors are SLQ's
 * quadrature weights.
 */

export interface TridiagonalEigen {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** Eigenvectors, column j of a row-major m×m matrix: vectors[i * m + j] is component i of eigenvector j. */
  vectors: Float64Array;
}

/**
 * Eigenvalues and orthonormal eigenvectors of the m×m tridiagonal matrix with diagonal `diagonal`
 * (length m) and off-diagonal `offDiagonal` (length m − 1, entry i couples rows i and i + 1).
 */
export function tridiagonalEigen(diagonal: ArrayLike<number>, offDiagonal: ArrayLike<number>): TridiagonalEigen {
  const m = diagonal.length;
  if (offDiagonal.length < m - 1)
    throw new Error(`a ${m}×${m} tridiagonal matrix needs ${m - 1} off-diagonal entries, got ${offDiagonal.length}`);
  const d = Float64Array.from(diagonal);
  const e = new Float64Array(m);
  for (let i = 0; i < m - 1; i++) e[i] = offDiagonal[i];
  const V = new Float64Array(m * m);
  for (let i = 0; i < m; i++) V[i * m + i] = 1;
  if ([...d, ...e].some((x) => !Number.isFinite(x)))
    throw new Error("tridiagonalEigen: the matrix has non-finite entries");

  const eps = 2 ** -52;
  let f = 0;
  let tst1 = 0;
  for (let l = 0; l < m; l++) {
    // Find a small subdiagonal element: T splits there.
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let k = l;
    while (k < m - 1 && Math.abs(e[k]) > eps * tst1) k++;
    if (k > l) {
      let iterations = 0;
      do {
        if (++iterations > 60) throw new Error("tridiagonalEigen: the QL iteration did not converge");
        // Wilkinson shift from the leading 2×2 block.
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < m; i++) d[i] -= h;
        f += h;
        // Implicit QL sweep from row k up to row l, accumulating the rotations into V.
        p = d[k];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = k - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          for (let row = 0; row < m; row++) {
            const at = row * m;
            h = V[at + i + 1];
            V[at + i + 1] = s * V[at + i] + c * h;
            V[at + i] = c * V[at + i] - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }

  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => d[a] - d[b]);
  const values = Float64Array.from(order, (j) => d[j]);
  const vectors = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) vectors[i * m + j] = V[i * m + order[j]];
  return { values, vectors };
}
