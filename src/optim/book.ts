/**
 * The book's algorithms exactly (Goodfellow, Bengio & Courville, ch. 8), each a chain of primitives.
 * Registered for `descent optimize` / `descent train` as `book.<name>` (see presets.ts).
 */
import { scaleByAdagrad, scaleByAdam, scaleByRms } from "./adaptive.js";
import { polyakAveraging } from "./averaging.js";
import { nesterovMomentum, traceMomentum } from "./momentum.js";
import { scaleByLearningRate } from "./scale.js";
import { linearDecaySchedule, type ScalarOrSchedule } from "./schedule.js";
import { chain, type GradientTransformation } from "./transform.js";

/**
 * Alg. 8.1: θ ← θ − ε_k g. Pass `linearDecaySchedule(ε0, τ, ε_τ)` for the rates of eq. 8.14 (or use `sgdLinearDecay`).
 */
export const sgd = (lr: ScalarOrSchedule): GradientTransformation => scaleByLearningRate(lr);

/** Alg. 8.1 with eq. 8.14: ε_k = (1 − α)ε0 + αε_τ, α = min(k/τ, 1), ε_τ = ε0/100 unless given. */
export const sgdLinearDecay = (lr0: number, tau: number, lrTau = lr0 / 100): GradientTransformation =>
  sgd(linearDecaySchedule(lr0, tau, lrTau));

/** Alg. 8.2: v ← αv − εg, θ ← θ + v. */
export const momentum = (lr: ScalarOrSchedule, alpha: ScalarOrSchedule = 0.9): GradientTransformation =>
  chain(scaleByLearningRate(lr), traceMomentum(alpha));

/** Alg. 8.3: θ̃ = θ + αv, g = ∇f(θ̃) (the caller evaluates it at `evaluationPoint`), v ← αv − εg, θ ← θ + v. */
export const nesterov = (lr: ScalarOrSchedule, alpha: ScalarOrSchedule = 0.9): GradientTransformation =>
  chain(scaleByLearningRate(lr), nesterovMomentum(alpha));

/** Alg. 8.4: r ← r + g⊙g, Δθ = −ε/(δ + √r) ⊙ g. */
export const adagrad = (lr: ScalarOrSchedule = 0.01, delta: ScalarOrSchedule = 1e-7): GradientTransformation =>
  chain(scaleByAdagrad(delta), scaleByLearningRate(lr));

/** Alg. 8.5: r ← ρr + (1 − ρ)g⊙g, Δθ = −ε/√(δ + r) ⊙ g (δ inside the root). */
export const rmsprop = (
  lr: ScalarOrSchedule = 0.001,
  rho: ScalarOrSchedule = 0.9,
  delta: ScalarOrSchedule = 1e-6,
): GradientTransformation => chain(scaleByRms(rho, delta, { deltaInsideRoot: true }), scaleByLearningRate(lr));

/** Alg. 8.6: θ̃ = θ + αv, g = ∇f(θ̃), r ← ρr + (1 − ρ)g⊙g, v ← αv − ε/√(δ + r) ⊙ g, θ ← θ + v. */
export const rmspropNesterov = (
  lr: ScalarOrSchedule = 0.001,
  rho: ScalarOrSchedule = 0.9,
  alpha: ScalarOrSchedule = 0.9,
  delta: ScalarOrSchedule = 1e-6,
): GradientTransformation =>
  chain(scaleByRms(rho, delta, { deltaInsideRoot: true }), scaleByLearningRate(lr), nesterovMomentum(alpha));

/** Alg. 8.7: s ← ρ1 s + (1−ρ1)g, r ← ρ2 r + (1−ρ2)g⊙g, Δθ = −ε ŝ/(√r̂ + δ). */
export const adam = (
  lr: ScalarOrSchedule = 0.001,
  rho1 = 0.9,
  rho2 = 0.999,
  delta: ScalarOrSchedule = 1e-8,
): GradientTransformation => chain(scaleByAdam(rho1, rho2, delta), scaleByLearningRate(lr));

/** 8.7.3: plain SGD at rate ε, evaluated at the uniform average θ̂(t) = 1/t Σ_{i=1..t} θ(i). */
export const polyakUniform = (lr: ScalarOrSchedule): GradientTransformation =>
  polyakAveraging(sgd(lr), { kind: "uniform" });

/** 8.7.3, eq. 8.39: plain SGD at rate ε, evaluated at θ̂(t) = αθ̂(t−1) + (1 − α)θ(t), θ̂(0) = θ(0). */
export const polyakExponential = (lr: ScalarOrSchedule, alpha: ScalarOrSchedule = 0.9): GradientTransformation =>
  polyakAveraging(sgd(lr), { kind: "exponential", alpha });
