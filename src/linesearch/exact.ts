import type { Objective } from "../problems/objective.js";
import type { LineSearchResult } from "./types.js";
import { dot, type Vec } from "../linalg/vector.js";

/**
 * The exact minimizing step along p on a quadratic: α* = −(gᵀp)/(pᵀHp), one Hessian-vector product
 * and no function or gradient evaluations. On a non-quadratic objective this is the Newton step of φ.
 * Fails clearly when p is not a descent direction or the curvature along p is not positive.
 */
export function exactQuadraticStep(
  objective: Objective,
  x: Vec,
  g: Vec,
  p: Vec,
): LineSearchResult & { curvature: number } {
  const slope = dot(g, p);
  const result = (ok: boolean, alpha: number, curvature: number, message: string) => ({
    ok,
    alpha,
    f: NaN,
    fevals: 0,
    gevals: 0,
    curvature,
    message,
  });
  if (!(slope < 0)) return result(false, 0, NaN, `not a descent direction: gᵀp = ${slope} >= 0`);
  const curvature = dot(p, objective.hvp(x, p));
  if (!(curvature > 0))
    return result(false, 0, curvature, `the exact step needs positive curvature along p, got pᵀHp = ${curvature}`);
  return result(true, -slope / curvature, curvature, "exact minimizer along p (quadratic model)");
}
