export * from "./trainer.js";
export * from "./step.js";
export * from "./checkpoint.js";
export * from "./evaluate.js";
export * from "./errors.js";
export * from "./guard.js";
export * from "./metrics.js";
export * from "./live.js";
export {
  closureOptimizer,
  compileClosureStep,
  isClosureOptimizer,
  type ClosureOptimizer,
  type TrainerOptimizer,
} from "./closureStep.js";
export { loadModel, type LoadedModel, type LoadModelOptions, type StoredModelConfig } from "./loadModel.js";
