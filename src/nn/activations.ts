import { numpy as np, nn as jnn } from "@jax-js/jax";
import { stateless, type Layer } from "./layer.js";

export const relu = (): Layer => stateless("relu", (x) => jnn.relu(x));
export const tanh = (): Layer => stateless("tanh", (x) => np.tanh(x));
export const sigmoid = (): Layer => stateless("sigmoid", (x) => jnn.sigmoid(x));
export const softplus = (): Layer => stateless("softplus", (x) => jnn.softplus(x));

export type ActivationName = "relu" | "tanh" | "sigmoid" | "softplus";
export const activations: Record<ActivationName, () => Layer> = { relu, tanh, sigmoid, softplus };
