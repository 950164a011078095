import { axpy, dot, neg, norm, pointAt, type Vec } from "../linalg/vector.js";

export interface SteihaugResult {
  step: Vec;
  /** Hessian times the step (for the model value, at no extra product). */
  Hstep: Vec;
  iterations: number;
  exit: "converged" | "negative-curvature" | "boundary" | "max-iterations";
}

/** τ >= 0 with ‖z + τd‖ = Δ. */
function toBoundary(z: Vec, d: Vec, radius: number): number {
  const dd = dot(d, d);
  const zd = dot(z, d);
  const zz = dot(z, z);
  return (-zd + Math.sqrt(Math.max(zd * zd + dd * (radius * radius - zz), 0))) / dd;
}

/**
 * CG-Steihaug (N&W Alg. 7.2): approximately minimizes the model gᵀp + ½pᵀHp within ‖p‖ <= Δ by CG
 * on Hessian-vector products; on negative curvature or on leaving the region it follows the current
 * direction to the boundary, so the step is never worse than the Cauchy point.
 */
export function steihaugCg(
  g: Vec,
  hessianTimes: (v: Vec) => Vec,
  radius: number,
  tol: number,
  maxIter: number,
): SteihaugResult {
  const n = g.length;
  const z = new Float64Array(n);
  const Hz = new Float64Array(n);
  const r = Float64Array.from(g);
  let d = neg(g);
  let rr = dot(r, r);
  const boundary = (Hd: Vec, j: number, exit: SteihaugResult["exit"]): SteihaugResult => {
    const tau = toBoundary(z, d, radius);
    return { step: pointAt(z, tau, d), Hstep: pointAt(Hz, tau, Hd), iterations: j + 1, exit };
  };
  for (let j = 0; j < maxIter; j++) {
    const Hd = hessianTimes(d);
    const dHd = dot(d, Hd);
    if (dHd <= 0) return boundary(Hd, j, "negative-curvature");
    const alpha = rr / dHd;
    if (norm(pointAt(z, alpha, d)) >= radius) return boundary(Hd, j, "boundary");
    axpy(z, alpha, d);
    axpy(Hz, alpha, Hd);
    axpy(r, alpha, Hd);
    const rrNew = dot(r, r);
    if (Math.sqrt(rrNew) <= tol) return { step: z, Hstep: Hz, iterations: j + 1, exit: "converged" };
    d = axpy(neg(r), rrNew / rr, d);
    rr = rrNew;
  }
  return { step: z, Hstep: Hz, iterations: maxIter, exit: "max-iterations" };
}
