/**
 * The Lanczos process with full reorthogonalization (Golub & Van Loan §10.1; Parlett, "The
 * Symmetric Eigenvalue Problem", ch. 13): builds an orthonormal basis Q_m of the Krylov space
 * span{q₁, Hq₁, …, H^{m−1}q₁} and the tridiagonal T_m = Q_mᵀ H Q_m from m products with H.
 * Reorthogonalizing every new vector against all previous ones keeps Q orthonormal in floating
 * point, so no spurious copies of converged eigenvalues appear and, after n steps, T's
 * eigenvalues are H's to rounding. All vectors live on the host in float64.
 */
import { random, type Key } from "../engine/index.js";
import type { HessianOperator } from "./operator.js";
import { axpy, dot, norm, orthogonalize, scale } from "../linalg/vector.js";
import { randomUnit } from "./probes.js";
import { tridiagonalEigen, type TridiagonalEigen } from "./tridiagonal.js";

export interface LanczosOptions {
  /**
   * On breakdown (an invariant subspace found before n steps): restart with a random vector
   * orthogonal to the basis, drawn from this key (T then splits into blocks, and repeated
   * eigenvalues can show up). Without it the process stops, which is what quadrature wants:
   * its rule is then exact.
   */
  restartKey?: Key;
  /** A residual below breakdownTol · ‖T‖ counts as breakdown. Default 1e-12. */
  breakdownTol?: number;
}

export class Lanczos {
  /** q₁ … q_m. */
  readonly basis: Float64Array[] = [];
  /** Diagonal of T. */
  readonly alpha: number[] = [];
  /** Off-diagonal of T: entry i couples q_{i+1} and q_{i+2} (zero where a restart split T). */
  readonly offDiagonal: number[] = [];
  /** The next basis vector and its coupling to the last one. */
  private pending: { vector: Float64Array; coupling: number } | undefined;
  /** ‖r_m‖ where H Q_m = Q_m T_m + r_m e_mᵀ: the Ritz residuals are ‖r_m‖·|s_{m,i}|. */
  private residualNorm = 0;
  private scale = 0;
  private restarts = 0;

  constructor(
    readonly op: HessianOperator,
    start: Float64Array,
    private readonly opts: LanczosOptions = {},
  ) {
    if (start.length !== op.dim)
      throw new Error(`Lanczos start vector has ${start.length} entries, but the operator has dimension ${op.dim}`);
    const length = norm(start);
    if (!(length > 0) || !Number.isFinite(length)) throw new Error("Lanczos needs a nonzero, finite start vector");
    this.pending = { vector: scale(start, 1 / length), coupling: 0 };
  }

  get steps(): number {
    return this.basis.length;
  }

  /** True once no further step is possible: n vectors, or a breakdown without restart. */
  get done(): boolean {
    return this.pending === undefined;
  }

  /** ‖r_m‖, zero once the space is exhausted (then every Ritz pair is exact). */
  get residual(): number {
    return this.residualNorm;
  }

  /** One Lanczos step: one product with H. Returns false (doing nothing) when the space is exhausted. */
  step(): boolean {
    if (!this.pending) return false;
    const { vector: q, coupling } = this.pending;
    const j = this.basis.length;
    if (j > 0) this.offDiagonal.push(coupling);
    this.basis.push(q);
    const w = this.op.apply(q);
    if (w.length !== this.op.dim)
      throw new Error(`Hessian-vector product has ${w.length} entries, expected ${this.op.dim}`);
    const a = dot(q, w);
    this.alpha.push(a);
    axpy(w, -a, q);
    if (j > 0) axpy(w, -coupling, this.basis[j - 1]);
    orthogonalize(w, this.basis);
    const b = norm(w);
    if (!Number.isFinite(b)) throw new Error(`Lanczos: non-finite Hessian-vector product at step ${j + 1}`);
    this.scale = Math.max(this.scale, Math.abs(a) + b + coupling);
    if (this.basis.length >= this.op.dim) {
      this.pending = undefined;
      this.residualNorm = 0;
    } else if (b <= (this.opts.breakdownTol ?? 1e-12) * this.scale) {
      // Breakdown: span(Q) is invariant under H (to rounding).
      this.residualNorm = 0;
      this.pending = this.opts.restartKey ? this.restartVector(this.opts.restartKey) : undefined;
    } else {
      this.residualNorm = b;
      this.pending = { vector: scale(w, 1 / b), coupling: b };
    }
    return true;
  }

  // A random unit vector orthogonal to the basis, coupled to it by zero (T splits into blocks).
  private restartVector(key: Key): { vector: Float64Array; coupling: number } | undefined {
    const fresh = orthogonalize(randomUnit(random.foldIn(key, this.restarts++), this.op.dim), this.basis);
    const length = norm(fresh);
    return length > 1e-8 ? { vector: scale(fresh, 1 / length), coupling: 0 } : undefined;
  }

  /** Eigen-decomposition of T_m: Ritz values and the coordinates of the Ritz vectors in Q_m. */
  tridiagonal(): TridiagonalEigen {
    return tridiagonalEigen(this.alpha, this.offDiagonal);
  }

  /** The Ritz vector Q_m s_j for eigenvector j of T_m. */
  ritzVector(eigen: TridiagonalEigen, j: number): Float64Array {
    const m = this.basis.length;
    const y = new Float64Array(this.op.dim);
    for (let i = 0; i < m; i++) axpy(y, eigen.vectors[i * m + j], this.basis[i]);
    return y;
  }

  /** The residual bound ‖H y_j − θ_j y_j‖ of Ritz pair j. */
  ritzResidual(eigen: TridiagonalEigen, j: number): number {
    const m = this.basis.length;
    return this.residualNorm * Math.abs(eigen.vectors[(m - 1) * m + j]);
  }
}
