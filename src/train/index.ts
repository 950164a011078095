export * from "./trainer.js";
export * from "./step.js";
export * from "./checkpoint.js";
export * from "./evaluate.js";
export * from "./errors.js";
export * from "./guard.js";
export * from "./metrics.js";
export { closureOptimizer, closureSolverOf, compileClosureStep, type ClosureOptimizer } from "./closureStep.js";
export { loadModel, type LoadedModel, type LoadModelOptions, type StoredModelConfig } from "./loadModel.js";
