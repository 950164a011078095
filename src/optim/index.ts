export {
  type GradientTransformation,
  type WrapperState,
  type ParamsView,
  wrapTransformation,
  chain,
  applyUpdates,
  type CountState,
} from "./transform.js";
export {
  type Schedule,
  type ScalarOrSchedule,
  constantSchedule,
  linearDecaySchedule,
  cosineDecaySchedule,
  stepSchedule,
  exponentialSchedule,
  inverseTimeSchedule,
  warmupSchedule,
  valueAt,
} from "./schedule.js";
export { scale, scaleByLearningRate, negate } from "./scale.js";
export {
  type VelocityState,
  type TorchMomentumState,
  traceMomentum,
  nesterovMomentum,
  torchMomentum,
} from "./momentum.js";
export {
  type AdagradState,
  type RmsState,
  type AdamState,
  type NadamState,
  type LionState,
  scaleByAdagrad,
  type RmsOptions,
  scaleByRms,
  scaleByAdam,
  scaleByNadam,
  scaleByLion,
} from "./adaptive.js";
export { globalNorm, clipByGlobalNorm, clipByTensorNorm, clipByValue } from "./clipping.js";
export { addDecayedWeights, decoupledWeightDecay } from "./weightDecay.js";
export { type Averaging, type AveragingState, polyakAveraging } from "./averaging.js";
export { type GuardState, skipNonFiniteUpdates } from "./nonFinite.js";
export { amsgrad, lion } from "./alias.js";
export * as book from "./book.js";
export * as torch from "./torch.js";
export {
  type BuildContext,
  scheduleSpecSchema,
  type ScheduleSpec,
  type HyperSpec,
  buildSchedule,
  type LearningRateSchedule,
  learningRate,
  firstIssue,
} from "./spec.js";
export {
  type OptimizerPreset,
  OPTIMIZERS,
  OPTIMIZER_NAMES,
  optimizerPreset,
  hyperparameterSchema,
  parseHyperparameters,
  namedOptimizer,
} from "./presets.js";
export { type ComposedOptimizer, composeOptimizer } from "./compose.js";
export { type MaskTree, type ParamMask, selects, type MaskedState, masked, weightDecayMask } from "./masked.js";
