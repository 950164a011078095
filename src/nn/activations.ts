import { numpy as np } from "@jax-js/jax";
import { stateless, type Layer } from "./layer.js";

/**
 * max(0, x) with derivative 0 at x = 0, as PyTorch and JAX. jax-js's maximum sends a tie's gradient
 * to its first argument, so its relu, maximum(x, 0), has derivative 1 at 0; exact zeros are common
 * (conv windows over zero padding or background with zero bias). Same cost as jax-js's relu.
 */
export function reluFn(x: np.Array): np.Array {
  return np.maximum(0, x);
}

/**
 * 1/(1 + e^{−x}) for x > 0 and e^x/(1 + e^x) otherwise, so the exponential never overflows: jax-js's
 * sigmoid has a NaN gradient below x ≈ −88 (float32) or −709 (float64).
 */
export function sigmoidFn(x: np.Array): np.Array {
  const positive = x.ref.greater(0);
  const e = np.exp(np.where(positive.ref, np.negative(x.ref), x)); // e^{−|x|}
  return np.where(positive, np.reciprocal(e.ref.add(1)), e.ref.div(e.add(1)));
}

/**
 * log(1 + e^x) as x + log1p(e^{−x}) for x > 0 and log1p(e^x) otherwise: jax-js's softplus,
 * log(e^x + 1), overflows to ∞ (NaN gradient) above x ≈ 88 in float32 and loses relative
 * accuracy for x ≪ 0 (1e-3 at x = −30 in float64).
 */
export function softplusFn(x: np.Array): np.Array {
  const positive = x.ref.greater(0);
  const tail = np.log1p(np.exp(np.where(positive.ref, np.negative(x.ref), x.ref))); // softplus(−|x|)
  return np.where(positive, x.add(tail.ref), tail);
}

export const relu = (): Layer => stateless("relu", reluFn);
export const tanh = (): Layer => stateless("tanh", (x) => np.tanh(x));
export const sigmoid = (): Layer => stateless("sigmoid", sigmoidFn);
export const softplus = (): Layer => stateless("softplus", softplusFn);

export type ActivationName = "relu" | "tanh" | "sigmoid" | "softplus";
export const activations: Record<ActivationName, () => Layer> = { relu, tanh, sigmoid, softplus };
