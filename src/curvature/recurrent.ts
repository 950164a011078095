/**
 * Long-term dependencies in a tanh RNN (8.2.5): h_t = tanh(x_t U + h_{t−1} W + b) composes the
 * same map T times, so ∂h_T/∂h_t = J_T ⋯ J_{t+1} with J_s = diag(1 − h_s²) Wᵀ, and its norm
 * behaves like ρ(W)^{T−t}: vanishing when the spectral radius is below 1, exploding above.
 * Computed on the host in float64 from the layer's weights and a batch of input sequences.
 */
import { random, type HostTensor } from "../engine/index.js";
import type { HessianOperator } from "./operator.js";
import { extremeEigenpairs } from "./spectrum.js";

export interface RnnWeights {
  /** U: [features, units]. */
  inputWeight: HostTensor;
  /** W: [units, units]. */
  recurrentWeight: HostTensor;
  /** b: [units]. */
  bias: HostTensor;
}

export interface RecurrentDiagnostics {
  /** ρ(W), the largest |eigenvalue| of the recurrent weight (Gelfand's formula). */
  spectralRadius: number;
  /** ‖W‖₂, its largest singular value. */
  spectralNorm: number;
  /** Mean over the sequences of ‖∂h_T/∂h_t‖₂ for lag T − t = 0, 1, …, T − 1. */
  jacobianNorms: { lag: number; norm: number }[];
}

export type Matrix = { rows: number; cols: number; data: Float64Array };

function matmul(a: Matrix, b: Matrix): Matrix {
  const out = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++)
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k];
      if (aik === 0) continue;
      for (let j = 0; j < b.cols; j++) out[i * b.cols + j] += aik * b.data[k * b.cols + j];
    }
  return { rows: a.rows, cols: b.cols, data: out };
}

const frobenius = (m: Matrix) => Math.sqrt(m.data.reduce((s, x) => s + x * x, 0));

function transpose(a: Matrix): Matrix {
  const out = new Float64Array(a.rows * a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out[j * a.rows + i] = a.data[i * a.cols + j];
  return { rows: a.cols, cols: a.rows, data: out };
}

/** ρ(A) = lim ‖A^k‖^{1/k}, with k = 2^squarings by repeated squaring (renormalized, tracked in logs). */
export function spectralRadius(a: Matrix, squarings = 40): number {
  if (a.rows !== a.cols) throw new Error("spectral radius of a non-square matrix");
  const f0 = frobenius(a);
  if (!(f0 > 0)) return 0;
  let logNorm = Math.log(f0); // log ‖A^(2^j)‖ up to the normalized factor m
  let m: Matrix = { ...a, data: a.data.map((x) => x / f0) };
  for (let j = 1; j <= squarings; j++) {
    const sq = matmul(m, m);
    const f = frobenius(sq);
    if (!(f > 0)) return 0; // nilpotent
    logNorm = 2 * logNorm + Math.log(f);
    m = { ...sq, data: sq.data.map((x) => x / f) };
  }
  return Math.exp(logNorm / 2 ** squarings);
}

/**
 * ‖A‖₂, the largest singular value: √λmax(AᵀA) by Lanczos with full reorthogonalization, run until
 * the top Ritz pair's residual is <= 1e-14·θ (then |θ − λmax| is too), or to the whole space. Exact
 * where fixed power iterations are not: near-orthogonal recurrent weights have σ1 ≈ σ2.
 */
export function spectralNorm(a: Matrix): number {
  if (a.rows === 0 || a.cols === 0) return 0;
  const at = transpose(a);
  const gram: HessianOperator = {
    dim: a.cols,
    apply: (v) => matmul(at, matmul(a, { rows: a.cols, cols: 1, data: v })).data,
  };
  const { top } = extremeEigenpairs(gram, { top: 1, tol: 1e-14, maxSteps: a.cols, key: random.randomKey(0) });
  return Math.sqrt(Math.max(top[0].value, 0));
}

/** The hidden states h_1 … h_T of one sequence x ([T, features], row-major). */
export function rnnStates(w: RnnWeights, x: ArrayLike<number>, steps: number): Float64Array[] {
  const [features, units] = w.inputWeight.shape;
  const states: Float64Array[] = [];
  let h = new Float64Array(units);
  for (let t = 0; t < steps; t++) {
    const next = Float64Array.from(w.bias.data);
    for (let i = 0; i < features; i++) {
      const xi = x[t * features + i];
      if (xi !== 0) for (let k = 0; k < units; k++) next[k] += xi * w.inputWeight.data[i * units + k];
    }
    for (let j = 0; j < units; j++)
      if (h[j] !== 0) for (let k = 0; k < units; k++) next[k] += h[j] * w.recurrentWeight.data[j * units + k];
    h = next.map(Math.tanh);
    states.push(h);
  }
  return states;
}

/** ∂h_T/∂h_t (units × units, row k = output unit) for t = T, T − 1, …, 1 of one sequence: index = lag T − t. */
export function stateJacobians(w: RnnWeights, states: Float64Array[]): Matrix[] {
  const units = w.bias.data.length;
  const identity = new Float64Array(units * units);
  for (let k = 0; k < units; k++) identity[k * units + k] = 1;
  const out: Matrix[] = [{ rows: units, cols: units, data: identity }];
  for (let t = states.length - 1; t >= 1; t--) {
    // J_t[k][j] = ∂h_t[k]/∂h_{t−1}[j] = (1 − h_t[k]²) W[j][k].
    const h = states[t];
    const J = new Float64Array(units * units);
    for (let k = 0; k < units; k++)
      for (let j = 0; j < units; j++) J[k * units + j] = (1 - h[k] * h[k]) * w.recurrentWeight.data[j * units + k];
    out.push(matmul(out[out.length - 1], { rows: units, cols: units, data: J }));
  }
  return out;
}

/** ρ(W), ‖W‖₂ and the mean ‖∂h_T/∂h_t‖₂ against T − t over `sequences` ([n, T, features] row-major). */
export function recurrentDiagnostics(
  w: RnnWeights,
  sequences: ArrayLike<number>,
  n: number,
  steps: number,
): RecurrentDiagnostics {
  const [features, units] = w.inputWeight.shape;
  const W = { rows: units, cols: units, data: Float64Array.from(w.recurrentWeight.data) };
  const sums = new Array(steps).fill(0);
  for (let e = 0; e < n; e++) {
    const x = Array.prototype.slice.call(sequences, e * steps * features, (e + 1) * steps * features) as number[];
    stateJacobians(w, rnnStates(w, x, steps)).forEach((P, lag) => (sums[lag] += spectralNorm(P) / n));
  }
  return {
    spectralRadius: spectralRadius(W),
    spectralNorm: spectralNorm(W),
    jacobianNorms: sums.map((norm, lag) => ({ lag, norm })),
  };
}
