/**
 * Hutchinson's trace estimator (Hutchinson 1990; PyHessian, Yao et al. 2020): tr(H) = E[zᵀHz]
 * for random z with E[zzᵀ] = I. Rademacher probes (±1) have the least variance among such
 * distributions, 2 Σ_{i≠j} H_ij².
 */
import { random, type Key } from "../engine/index.js";
import type { HessianOperator } from "./operator.js";
import { dot } from "../linalg/vector.js";
import { rademacher } from "./probes.js";

export interface TraceEstimate {
  estimate: number;
  /** Standard error of the mean over probes (s/√probes; NaN for one probe). */
  stdError: number;
  /** zᵀHz of each probe. */
  samples: number[];
}

/** The probe vectors shared by Hutchinson and SLQ: the same key gives the same probes. */
export const probeVector = (key: Key, index: number, n: number): Float64Array =>
  rademacher(random.foldIn(key, index), n);

export function hutchinsonTrace(op: HessianOperator, opts: { probes?: number; key?: Key } = {}): TraceEstimate {
  const probes = opts.probes ?? 100;
  if (!(probes >= 1)) throw new Error(`Hutchinson's estimator needs at least one probe, got ${probes}`);
  const key = opts.key ?? random.randomKey(0);
  const samples: number[] = [];
  for (let k = 0; k < probes; k++) {
    const z = probeVector(key, k, op.dim);
    samples.push(dot(z, op.apply(z)));
  }
  const estimate = samples.reduce((a, b) => a + b, 0) / probes;
  const variance = probes > 1 ? samples.reduce((s, x) => s + (x - estimate) ** 2, 0) / (probes - 1) : NaN;
  return { estimate, stdError: Math.sqrt(variance / probes), samples };
}
