/**
 * Descent: optimization for training deep models (Goodfellow, Bengio & Courville, ch. 8).
 * Call `await engine.startEngine()` once before using anything that touches arrays.
 * `numpy`, `tree`, `grad`, `jit`, … are the very jax-js instance Descent computes with: import them
 * from here, never from a second copy of `@jax-js/jax`, whose arrays Descent could not read.
 */
// First: jax-js's memory is made shared for the thread pool if jax-js has not loaded yet (engine/threads/).
import "./engine/nodeSetup.js";
export * as engine from "./engine/index.js";
export * as nn from "./nn/index.js";
export * as data from "./data/index.js";
export * as optim from "./optim/index.js";
export * as train from "./train/index.js";
export * as curvature from "./curvature/index.js";
export * as solvers from "./solvers/index.js";
export * as linesearch from "./linesearch/index.js";
export * as losses from "./losses.js";
export { readSafetensors, writeSafetensors } from "./io/safetensors.js";
export * from "./minimize/index.js";
export * as problems from "./problems/index.js";
export * as report from "./report/index.js";
export {
  numpy,
  tree,
  grad,
  jit,
  valueAndGrad,
  vmap,
  jvp,
  vjp,
  hessian,
  blockUntilReady,
  random as jaxRandom,
  lax,
  nn as jaxNn,
} from "@jax-js/jax";
export type { Device, DType, JsTree } from "@jax-js/jax";
export * as strategies from "./strategies/index.js";
