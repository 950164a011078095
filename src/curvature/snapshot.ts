/**
 * One Lanczos run from a Rademacher probe gives both ends of the spectrum (Ritz values with
 * residual bounds) and a one-probe SLQ density: what `descent diagnose` records at chosen steps
 * of a training run, where each Hessian-vector product costs a few gradients.
 */
import { random, type Key } from "../engine/index.js";
import { addQuadrature, type SpectralDensity } from "./density.js";
import { Lanczos } from "./lanczos.js";
import type { HessianOperator } from "./operator.js";
import { probeVector } from "./trace.js";

export interface SpectrumSnapshot {
  /** Lanczos steps (= Hessian-vector products). */
  steps: number;
  /** Largest Ritz values, descending, with residuals ‖Hy − θy‖ (bounds on |θ − λ| only when `residualsBound`). */
  top: { value: number; residual: number }[];
  /** Smallest Ritz values, ascending. */
  bottom: { value: number; residual: number }[];
  /** λ_max / λ_min when the smallest Ritz value is positive, else null. */
  condition: number | null;
  /** The one-probe SLQ density (weights sum to 1). */
  density: SpectralDensity;
  /**
   * Whether each residual bounds the distance from its Ritz value to an eigenvalue of H. Not in
   * float32: the residual is measured against the rounded HVPs, whose own error it does not include
   * (measured: 12 of 12 Ritz values farther from H's eigenvalues than their residuals).
   */
  residualsBound: boolean;
}

export function spectrumSnapshot(
  op: HessianOperator,
  opts: { steps?: number; top?: number; bottom?: number; key?: Key; exactProducts?: boolean } = {},
): SpectrumSnapshot {
  const steps = Math.min(opts.steps ?? 20, op.dim);
  const lanczos = new Lanczos(op, probeVector(opts.key ?? random.randomKey(0), 0, op.dim));
  while (lanczos.steps < steps && lanczos.step());
  const eigen = lanczos.tridiagonal();
  const m = lanczos.steps;
  const pair = (j: number) => ({ value: eigen.values[j], residual: lanczos.ritzResidual(eigen, j) });
  const top = Array.from({ length: Math.min(opts.top ?? 5, m) }, (_, i) => pair(m - 1 - i));
  const bottom = Array.from({ length: Math.min(opts.bottom ?? 5, m) }, (_, i) => pair(i));
  const density: SpectralDensity = { nodes: [], weights: [], probes: 1, steps: [] };
  addQuadrature(density, lanczos, 1);
  const [lo, hi] = [eigen.values[0], eigen.values[m - 1]];
  return {
    steps: m,
    top,
    bottom,
    condition: lo > 0 ? hi / lo : null,
    density,
    residualsBound: opts.exactProducts ?? true,
  };
}
