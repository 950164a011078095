export { type Initialized, type ApplyContext, type Layer, none, stateless } from "./layer.js";
export {
  reluFn,
  sigmoidFn,
  softplusFn,
  relu,
  tanh,
  sigmoid,
  softplus,
  type ActivationName,
  activations,
} from "./activations.js";
export { type LinearOptions, weightAndBias, linear } from "./linear.js";
export { type Conv2dOptions, conv2d } from "./conv.js";
export { flatten, reshape, maxPool2d, lastStep } from "./shape.js";
export { type RnnOptions, rnn } from "./rnn.js";
export { maxout } from "./maxout.js";
export { type BatchNormOptions, batchNorm } from "./batchnorm.js";
export { sequential, residual } from "./combinators.js";
export {
  type Initializer,
  fans,
  glorotUniform,
  heNormal,
  normalInit,
  zerosInit,
  constantInit,
  orthogonal,
  orthonormalColumns,
  sparse,
  type InitName,
  initNames,
  initializerByName,
} from "./init.js";
export {
  type ModelName,
  type ModelOptions,
  MODEL_DEFAULTS,
  defaultInitOf,
  mlp,
  cnn,
  rnnClassifier,
  buildModel,
} from "./models.js";
export { type GradCheckOptions, type GradCheckEntry, type GradCheckResult, checkGradients } from "./gradcheck.js";
export { type ScaleOptions, scaleToUnitActivations, outputBiasFromTargets, setOutputBias } from "./datainit.js";
export { trainingLoss } from "./trainingLoss.js";
