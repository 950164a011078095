export type { Problem } from "./problem.js";
export { quadraticProblem, rosenbrockProblem, logisticProblem, mlpProblem } from "./objectives.js";
export {
  beale,
  saddle,
  himmelblau,
  coupled,
  randomQuadratic,
  BUILTIN_PROBLEMS,
  type BuiltinName,
  builtinProblem,
} from "./builtin.js";
export {
  type ReferenceRun,
  type LoadedProblem,
  problemFromSpec,
  problemFromJson,
  loadProblem,
  isQuadraticProblem,
} from "./spec.js";
export { type EvalCounts, Objective } from "./objective.js";
export {
  objectiveFromFunction,
  type ScalarFunction,
  type StartingPoint,
  type FromFunctionOptions,
} from "./fromFunction.js";
export { isObjectiveModule, loadObjectiveModule, loadAnyProblem } from "./module.js";
export { type Surface, SURFACES, surfaceByName } from "./surfaces.js";
