/**
 * Everything `descent curvature` reports about a flat problem at one point: f, ‖∇f‖, gᵀg, gᵀHg,
 * the extreme eigenvalues (Lanczos), what kind of point it is, and on request Hutchinson's trace,
 * the SLQ spectral density and the power-iteration check. Hessian-vector products are counted.
 */
import { random, type Key } from "../engine/index.js";
import type { Objective } from "../problems/objective.js";
import { classifyPoint, type PointKind } from "./critical.js";
import { densityMoment, smoothDensity, spectralDensity } from "./density.js";
import { counted, objectiveHessian } from "./operator.js";
import { powerIteration } from "./power.js";
import { conditionNumber, extremeEigenpairs } from "./spectrum.js";
import { hutchinsonTrace } from "./trace.js";
import { dot } from "../linalg/vector.js";

export interface PointCurvatureOptions {
  top?: number;
  bottom?: number;
  /** Hutchinson's trace with this many Rademacher probes (0: skip). */
  traceProbes?: number;
  /** SLQ density with this many probes (0: skip) of `densitySteps` Lanczos steps. */
  densityProbes?: number;
  densitySteps?: number;
  /** Also compute the top eigenvalues by power iteration with deflation (a check on Lanczos). */
  power?: boolean;
  /** Lanczos tolerance and step cap (see extremeEigenpairs). */
  tol?: number;
  maxSteps?: number;
  /** ‖∇f‖ at or below this is a critical point. */
  gradTol?: number;
  /** Include the most-negative-curvature direction when the dimension is at most this. Default 1000. */
  directionMaxDim?: number;
  key?: Key;
}

export interface PointCurvature {
  f: number;
  gradNorm: number;
  gTg: number;
  gHg: number;
  /** Largest eigenvalues, descending. */
  top: number[];
  /** Smallest eigenvalues, ascending. */
  bottom: number[];
  trace: number | null;
  /** Hessian-vector products used in all. */
  hvps: number;
  traceStdError: number | null;
  /** Residual bounds ‖Hy − θy‖ of the reported eigenvalues. */
  topResiduals: number[];
  bottomResiduals: number[];
  lanczosSteps: number;
  converged: boolean;
  /** λ_max/λ_min when H is positive definite, else null. */
  condition: number | null;
  point: { kind: PointKind; lambdaMin: number; lambdaMax: number; direction?: number[] };
  /**
   * The SLQ density: its exact moments (mass Σ weights = 1; first moment = trace estimate / n with
   * the same probes) and, for plotting, the Gaussian-smoothed density on a grid.
   */
  density?: {
    probes: number;
    steps: number;
    mass: number;
    firstMoment: number;
    secondMoment: number;
    sigma: number;
    grid: number[];
    values: number[];
  };
  powerTop?: number[];
}

export function curvatureAt(
  objective: Objective,
  x: ArrayLike<number>,
  opts: PointCurvatureOptions = {},
): PointCurvature {
  const key = opts.key ?? random.randomKey(0);
  const [f, g] = objective.valueAndGrad(x);
  const H = counted(objectiveHessian(objective, x));
  const gTg = dot(g, g);
  const gHg = dot(g, H.apply(g));
  const top = opts.top ?? 1;
  const bottom = opts.bottom ?? 1;
  // At least one of each end, to tell what kind of point this is.
  const spectrum = extremeEigenpairs(H, {
    top: Math.max(top, 1),
    bottom: Math.max(bottom, 1),
    tol: opts.tol,
    maxSteps: opts.maxSteps,
    key: random.foldIn(key, 1),
    vectors: true,
  });
  const lambdaMax = spectrum.top[0].value;
  const lambdaMin = spectrum.bottom[0].value;
  const gradNorm = Math.sqrt(gTg);
  const kind = classifyPoint(gradNorm, lambdaMin, lambdaMax, { gradTol: opts.gradTol });
  const out: PointCurvature = {
    f,
    gradNorm,
    gTg,
    gHg,
    top: spectrum.top.slice(0, top).map((p) => p.value),
    bottom: spectrum.bottom.slice(0, bottom).map((p) => p.value),
    trace: null,
    hvps: 0,
    traceStdError: null,
    topResiduals: spectrum.top.slice(0, top).map((p) => p.residual),
    bottomResiduals: spectrum.bottom.slice(0, bottom).map((p) => p.residual),
    lanczosSteps: spectrum.steps,
    converged: spectrum.converged,
    condition: conditionNumber(lambdaMax, lambdaMin),
    point: { kind: kind.kind, lambdaMin, lambdaMax },
  };
  if (kind.negativeCurvature && objective.dim <= (opts.directionMaxDim ?? 1000))
    out.point.direction = Array.from(canonicalSign(spectrum.bottom[0].vector!));
  if (opts.traceProbes) {
    const t = hutchinsonTrace(H, { probes: opts.traceProbes, key: random.foldIn(key, 2) });
    out.trace = t.estimate;
    out.traceStdError = Number.isFinite(t.stdError) ? t.stdError : null;
  }
  if (opts.densityProbes) {
    // The same key as the trace: with as many probes, the density's first moment is exactly trace/n.
    const d = spectralDensity(H, { probes: opts.densityProbes, steps: opts.densitySteps, key: random.foldIn(key, 2) });
    const smooth = smoothDensity(d, { points: 100 });
    out.density = {
      probes: d.probes,
      steps: Math.max(...d.steps),
      mass: densityMoment(d, 0),
      firstMoment: densityMoment(d, 1),
      secondMoment: densityMoment(d, 2),
      ...smooth,
    };
  }
  if (opts.power) {
    // Shifted to the bottom of the spectrum, the dominant eigenvalues of H − λ_min I are the top ones.
    out.powerTop = powerIteration(H, { count: top, shift: lambdaMin, key: random.foldIn(key, 3) }).map((p) => p.value);
  }
  out.hvps = H.products;
  return out;
}

// An eigenvector's sign is arbitrary: make its largest entry positive, so that output is reproducible.
function canonicalSign(v: Float64Array): Float64Array {
  let at = 0;
  for (let i = 1; i < v.length; i++) if (Math.abs(v[i]) > Math.abs(v[at])) at = i;
  return v[at] < 0 ? Float64Array.from(v, (x) => -x) : v;
}
