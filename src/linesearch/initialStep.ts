import { norm, type Vec } from "../linalg/vector.js";

/** The first trial step along −g when no curvature is known yet: a step of length 1 (SciPy's choice too). */
export const firstStep = (g: Vec): number => Math.min(1, 1 / norm(g));

/**
 * min(1, 2.02(f_k − f_{k−1})/φ'(0)): the step that would repeat the last
 * decrease (N&W eq. 3.60's variant, SciPy's); 1 when that is not positive.
 */
export function interpolatedStep(f: number, fPrev: number, slope: number): number {
  const alpha = Math.min(1, (2.02 * (f - fPrev)) / slope);
  return alpha > 0 ? alpha : 1;
}
