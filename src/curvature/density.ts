/**
 * The Hessian's spectral density by stochastic Lanczos quadrature (Lin, Saad & Yang 2016; Ubaru,
 * Chen & Saad 2017; Ghorbani, Krishnan & Xiao 2019 and PyHessian for networks). For a unit probe
 * v, m Lanczos steps give the Gauss quadrature rule of the measure Σ_i (vᵀu_i)² δ(λ − λ_i): nodes
 * at T_m's eigenvalues θ_k, weights τ_k² = (first component of T_m's k-th eigenvector)². Averaging
 * over Rademacher probes estimates the spectral density φ(λ) = (1/n) Σ_i δ(λ − λ_i).
 */
import { random, type Key } from "../engine/index.js";
import { Lanczos } from "./lanczos.js";
import type { HessianOperator } from "./operator.js";
import { probeVector } from "./trace.js";

export interface SpectralDensity {
  /** Quadrature nodes of every probe, concatenated. */
  nodes: number[];
  /** Their weights, each probe's summing to 1/probes: the estimate is a probability measure. */
  weights: number[];
  probes: number;
  /** Lanczos steps per probe (fewer when a probe's Krylov space is exhausted: the rule is then exact). */
  steps: number[];
}

export function spectralDensity(
  op: HessianOperator,
  opts: { probes?: number; steps?: number; key?: Key } = {},
): SpectralDensity {
  const probes = opts.probes ?? 1;
  const steps = Math.min(opts.steps ?? 80, op.dim);
  if (!(probes >= 1) || !(steps >= 1))
    throw new Error(`SLQ needs probes >= 1 and steps >= 1, got ${probes} and ${steps}`);
  const key = opts.key ?? random.randomKey(0);
  const out: SpectralDensity = { nodes: [], weights: [], probes, steps: [] };
  for (let p = 0; p < probes; p++) {
    const lanczos = new Lanczos(op, probeVector(key, p, op.dim));
    while (lanczos.steps < steps && lanczos.step());
    addQuadrature(out, lanczos, probes);
  }
  return out;
}

/** Appends the Gauss quadrature rule of a finished Lanczos run (started from the probe) to `density`. */
export function addQuadrature(density: SpectralDensity, lanczos: Lanczos, probes: number): void {
  const eigen = lanczos.tridiagonal();
  const m = lanczos.steps;
  for (let k = 0; k < m; k++) {
    density.nodes.push(eigen.values[k]);
    density.weights.push(eigen.vectors[k] ** 2 / probes);
  }
  density.steps.push(m);
}

/** ∫ λ^k φ(λ) dλ under the quadrature measure. The first moment estimates tr(H)/n. */
export function densityMoment(density: SpectralDensity, k: number): number {
  return density.nodes.reduce((s, x, i) => s + density.weights[i] * x ** k, 0);
}

/**
 * The density on a grid, each node broadened into a Gaussian of standard deviation `sigma`
 * (PyHessian's smoothing), so that it can be plotted; it integrates to ~1 when the grid covers
 * every node by a few σ.
 */
export function smoothDensity(
  density: SpectralDensity,
  opts: { points?: number; sigma?: number; grid?: number[] } = {},
): { grid: number[]; values: number[]; sigma: number } {
  const lo = Math.min(...density.nodes);
  const hi = Math.max(...density.nodes);
  const width = Math.max(hi - lo, 1e-12 * Math.max(1, Math.abs(hi)));
  const sigma = opts.sigma ?? width / 100;
  const points = opts.points ?? 400;
  const grid =
    opts.grid ?? Array.from({ length: points }, (_, i) => lo - 5 * sigma + ((width + 10 * sigma) * i) / (points - 1));
  const c = 1 / (sigma * Math.sqrt(2 * Math.PI));
  const values = grid.map((t) =>
    density.nodes.reduce((s, x, i) => s + density.weights[i] * c * Math.exp(-(((t - x) / sigma) ** 2) / 2), 0),
  );
  return { grid, values, sigma };
}
