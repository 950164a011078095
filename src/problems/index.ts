export * from "./problem.js";
export * from "./objectives.js";
export * from "./builtin.js";
export * from "./spec.js";
export * from "./objective.js";
export {
  objectiveFromFunction,
  startingPoint,
  type ScalarFunction,
  type StartingPoint,
  type FromFunctionOptions,
} from "./fromFunction.js";
export * from "./module.js";
export * from "./surfaces.js";
