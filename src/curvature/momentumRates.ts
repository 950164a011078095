/**
 * Momentum on a quadratic, the way Goh's "Why Momentum Really Works" (Distill, 2017) draws it. On
 * f(θ) = ½(θ − θ*)ᵀA(θ − θ*), heavy-ball momentum (Alg. 8.2: v ← αv − εg, θ ← θ + v) acts on each
 * eigen-component xᵢ = qᵢᵀ(θ − θ*) of A = Σ λᵢqᵢqᵢᵀ separately, through the 2×2 map
 * (v, x) ↦ (αv − ελᵢx, αv + (1 − ελᵢ)x). Each component converges at its own rate, the spectral radius
 * of that map, and the slowest one sets the method's rate. α = 0 is plain gradient descent, |1 − ελᵢ|.
 */

/** Spectral radius of the component map for one eigenvalue λ: the larger |z| with z² − (1 + α − ελ)z + α = 0. */
export function componentRate(lr: number, momentum: number, lambda: number): number {
  const trace = 1 + momentum - lr * lambda;
  const discriminant = trace * trace - 4 * momentum;
  // Complex roots have |z|² = det = α; real roots: the larger in magnitude.
  if (discriminant < 0) return Math.sqrt(momentum);
  const root = Math.sqrt(discriminant);
  return Math.max(Math.abs(trace + root), Math.abs(trace - root)) / 2;
}

/** The method's rate: the slowest component's (below 1 converges, at or above 1 does not). */
export function momentumRate(lr: number, momentum: number, eigenvalues: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < eigenvalues.length; i++) worst = Math.max(worst, componentRate(lr, momentum, eigenvalues[i]));
  return worst;
}

/** Rates over a grid: row j is momenta[j], column i is lrs[i] (the (ε, α) phase diagram). */
export function momentumPhaseDiagram(
  eigenvalues: ArrayLike<number>,
  lrs: ArrayLike<number>,
  momenta: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(lrs.length * momenta.length);
  for (let j = 0; j < momenta.length; j++)
    for (let i = 0; i < lrs.length; i++) out[j * lrs.length + i] = momentumRate(lrs[i], momenta[j], eigenvalues);
  return out;
}

/**
 * The best (ε, α) for eigenvalues in [λmin, λmax] (Polyak; Goh's eq. for the optimal parameters):
 * ε = (2 / (√λmax + √λmin))², α = ((√κ − 1)/(√κ + 1))², rate √α = (√κ − 1)/(√κ + 1).
 */
export function optimalMomentum(lambdaMin: number, lambdaMax: number): { lr: number; momentum: number; rate: number } {
  if (!(lambdaMin > 0 && lambdaMax >= lambdaMin))
    throw new Error(`optimal momentum needs 0 < λmin <= λmax, got ${lambdaMin}, ${lambdaMax}`);
  const [a, b] = [Math.sqrt(lambdaMin), Math.sqrt(lambdaMax)];
  const rate = (b - a) / (b + a);
  return { lr: (2 / (a + b)) ** 2, momentum: rate * rate, rate };
}

/** |qᵢᵀ(θₖ − θ*)| along a path: row i holds component i's error at every step (q the unit eigenvectors). */
export function eigenComponentErrors(
  path: ArrayLike<number>[],
  minimum: ArrayLike<number>,
  eigenvectors: ArrayLike<number>[],
): number[][] {
  return eigenvectors.map((q) =>
    path.map((theta) => {
      let s = 0;
      for (let d = 0; d < q.length; d++) s += q[d] * (theta[d] - minimum[d]);
      return Math.abs(s);
    }),
  );
}
