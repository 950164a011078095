/**
 * Descent: optimization for training deep models (Goodfellow, Bengio & Courville, ch. 8).
 * Call `await engine.startEngine()` once before using anything that touches arrays.
 */
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
export * as strategies from "./strategies/index.js";
