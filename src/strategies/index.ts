/**
 * The strategies of section 8.7: pretraining and transfer,
 * hints, models that aid optimization, continuation, curriculum.
 */
export {
  type SkipKind,
  type DeepMlpOptions,
  type DenseParams,
  type DeepMlpParams,
  type DeepMlp,
  hiddenStates,
  deepMlp,
} from "./deepMlp.js";
export { freeze } from "./freeze.js";
export { type InitializeHook, hostLeaves, layerPaths, transferFromCheckpoint } from "./transfer.js";
export {
  type GreedyPretrainingOptions,
  type PretrainingStage,
  type GreedyPretrainingResult,
  frozenLayersAt,
  greedyPretraining,
} from "./pretraining.js";
export { teacherHints, hintedLoss, type HintsOptions, type HintsResult, trainWithHints } from "./hints.js";
export {
  decayToZero,
  auxiliaryHeadsLoss,
  predictionModel,
  predictionParams,
  savePredictionWeights,
} from "./auxiliaryHeads.js";
export { type DeepRnnOptions, deepRnn } from "./skipConnections.js";
export {
  type BlurredEstimate,
  type BlurOptions,
  blurredObjective,
  geometricSigmas,
  type ContinuationOptions,
  type ContinuationResult,
  continuation,
} from "./continuation.js";
export { type ModelObjective, modelObjective } from "./modelObjective.js";
export {
  difficultyFromLength,
  difficultyFromTeacherLoss,
  easyToHard,
  type StagedCurriculumOptions,
  stageOf,
  stagedCurriculum,
  type StochasticCurriculumOptions,
  linearShare,
  stochasticCurriculum,
} from "./curriculum.js";
