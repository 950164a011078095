/**
 * Greedy supervised pretraining (8.7.4, Fig. 8.7 a–d): train a one-hidden-layer network, keep its
 * input-to-hidden layer, add the next hidden layer (with a fresh output layer) and train it as a
 * one-hidden-layer MLP on the frozen layers' outputs (optionally beside the raw input, Fig. 8.7c);
 * repeat to the requested depth, then fine-tune the whole network jointly.
 */
import { disposeTree, type HostTensor, type Precision, type Tree } from "../engine/index.js";
import type { Dataset } from "../data/index.js";
import type { GradientTransformation } from "../optim/index.js";
import { train, type TrainCallbacks, type TrainResult } from "../train/index.js";
import { deepMlp, type DeepMlp, type DeepMlpOptions } from "./deepMlp.js";
import { freeze, pathsUnder } from "./freeze.js";
import { copyLeaves, hostLeaves } from "./transfer.js";

export interface GreedyPretrainingOptions {
  train: Dataset;
  validation?: Dataset;
  test?: Dataset;
  /** The final network (depth = number of stages); skip and heads are not part of Fig. 8.7. */
  network: Omit<DeepMlpOptions, "skip" | "auxiliaryHeads">;
  /** A fresh optimizer for each stage and for the fine-tuning. */
  optimizer: () => GradientTransformation;
  epochsPerStage: number;
  /** Joint fine-tuning after the last stage (0 skips it). */
  fineTuneEpochs: number;
  batchSize: number;
  seed: number;
  precision: Precision;
  callbacks?: TrainCallbacks;
}

export interface PretrainingStage {
  /** 1-based: stage s trains hidden layer s − 1 (and a fresh output layer). */
  stage: number;
  /** Parameter paths held fixed during this stage. */
  frozen: string[];
  trainLoss: number;
  validationLoss?: number;
  /** Host copies of the stage's parameters at its end. */
  params: Map<string, HostTensor>;
}

export interface GreedyPretrainingResult {
  model: DeepMlp;
  /** The final network's parameters (after fine-tuning), the caller's to dispose. */
  params: Tree;
  modelState: Tree;
  stages: PretrainingStage[];
  /** The fine-tuning run (absent when fineTuneEpochs is 0). */
  fineTune?: TrainResult;
}

/** The hidden layers a stage keeps fixed: every one below the layer it adds. */
export const frozenLayersAt = (stage: number): string[] => Array.from({ length: stage - 1 }, (_, i) => `hidden.${i}`);

export async function greedyPretraining(opts: GreedyPretrainingOptions): Promise<GreedyPretrainingResult> {
  const depth = opts.network.depth;
  const outputs = opts.train.numClasses > 0 ? opts.train.numClasses : opts.train.yShape.reduce((a, b) => a * b, 1);
  const common = {
    train: opts.train,
    validation: opts.validation,
    batchSize: opts.batchSize,
    precision: opts.precision,
    callbacks: opts.callbacks,
  };
  const stages: PretrainingStage[] = [];
  let carried: Map<string, HostTensor> = new Map();
  let last: TrainResult | undefined;
  for (let stage = 1; stage <= depth; stage++) {
    const frozen = frozenLayersAt(stage);
    const model = deepMlp(outputs, { ...opts.network, depth: stage });
    const result = await train({
      ...common,
      model,
      optimizer: freeze(opts.optimizer(), pathsUnder(frozen)),
      epochs: opts.epochsPerStage,
      seed: opts.seed + stage,
      // The frozen layers come from the previous stage; the new hidden layer and the output layer start fresh.
      initialize: copyLeaves(carried, opts.precision, pathsUnder(frozen)),
    });
    carried = hostLeaves(result.params);
    stages.push({
      stage,
      frozen,
      trainLoss: result.trainLoss,
      validationLoss: result.validation?.loss,
      params: carried,
    });
    if (last) disposeTree(last.params), disposeTree(last.modelState);
    last = result;
  }
  const model = deepMlp(outputs, { ...opts.network, depth });
  if (opts.fineTuneEpochs <= 0) return { model, params: last!.params, modelState: last!.modelState, stages };
  disposeTree(last!.params);
  disposeTree(last!.modelState);
  const fineTune = await train({
    ...common,
    test: opts.test,
    model,
    optimizer: opts.optimizer(),
    epochs: opts.fineTuneEpochs,
    seed: opts.seed,
    initialize: copyLeaves(carried, opts.precision),
  });
  return { model, params: fineTune.params, modelState: fineTune.modelState, stages, fineTune };
}
