export {
  type EarlyStopping,
  type TrainCallbacks,
  type TrainOptions,
  type TrainResult,
  type BatchSampler,
  train,
} from "./trainer.js";
export {
  type TrainState,
  type StepStats,
  type TrainLoss,
  compileTrainStep,
  compilePredict,
  initTrainState,
  type LossKind,
} from "./step.js";
export {
  type Progress,
  saveCheckpoint,
  type LoadedCheckpoint,
  readCheckpointInfo,
  loadCheckpoint,
} from "./checkpoint.js";
export { type Evaluation, evaluate } from "./evaluate.js";
export {
  TrainingDivergedError,
  NonFiniteError,
  LossDivergedError,
  CheckpointError,
  InvalidRunError,
} from "./errors.js";
export { DivergenceGuard } from "./guard.js";
export { type MetricsRecord, MetricsLog } from "./metrics.js";
export { type LiveTrainingOptions, LiveTraining } from "./live.js";
export {
  closureOptimizer,
  isClosureOptimizer,
  type ClosureOptimizer,
  type TrainerOptimizer,
} from "./closureStep.js";
export {
  loadModel,
  readModelCheckpoint,
  type LoadedModel,
  type LoadModelOptions,
  type ModelCheckpoint,
  type StoredModelConfig,
} from "./loadModel.js";
