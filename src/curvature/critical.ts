/**
 * What kind of point is this (8.2.3)? At a critical point (∇f = 0) the Hessian's eigenvalues
 * decide: all positive, a local minimum; all negative, a maximum; both signs, a saddle point,
 * which gradient descent leaves along the eigenvector of the most negative eigenvalue.
 */

export type PointKind = "minimum" | "maximum" | "saddle" | "degenerate" | "not-critical";

export interface PointClassification {
  kind: PointKind;
  /** True when ‖∇f‖ <= gradTol. */
  critical: boolean;
  /** H has a direction of negative curvature (critical or not). */
  negativeCurvature: boolean;
  lambdaMin: number;
  lambdaMax: number;
}

export interface ClassifyOptions {
  /** ‖∇f‖ at or below this is a critical point. Default 1e-6. */
  gradTol?: number;
  /** Eigenvalues within eigTol · max|λ| of zero count as zero. Default 1e-8. */
  eigTolRelative?: number;
}

/**
 * Classifies a point from ‖∇f‖ and the extreme eigenvalues of H. A critical point with a zero
 * extreme eigenvalue and no eigenvalue of the other sign is "degenerate": second-order
 * information cannot tell (a plateau, a valley floor, a monkey saddle).
 */
export function classifyPoint(
  gradNorm: number,
  lambdaMin: number,
  lambdaMax: number,
  opts: ClassifyOptions = {},
): PointClassification {
  const gradTol = opts.gradTol ?? 1e-6;
  const zero = (opts.eigTolRelative ?? 1e-8) * Math.max(Math.abs(lambdaMin), Math.abs(lambdaMax));
  const negativeCurvature = lambdaMin < -zero;
  const positiveCurvature = lambdaMax > zero;
  const critical = gradNorm <= gradTol;
  let kind: PointKind = "not-critical";
  if (critical) {
    if (negativeCurvature && positiveCurvature) kind = "saddle";
    else if (lambdaMin > zero) kind = "minimum";
    else if (lambdaMax < -zero) kind = "maximum";
    else kind = "degenerate";
  }
  return { kind, critical, negativeCurvature, lambdaMin, lambdaMax };
}
