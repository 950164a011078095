/**
 * Greedy supervised pretraining (8.7.4): the deep plain network from scratch
 * vs stage-wise pretraining plus fine-tuning, on the same number of epochs.
 */
import { disposeTree } from "../../engine/index.js";
import { book } from "../../optim/index.js";
import { deepMlp } from "../deepMlp.js";
import { greedyPretraining } from "../pretraining.js";
import { bySeed, runVariants, trainAndTest } from "./compare.js";
import { DEEP_PLAIN, DEEP_SGD } from "./deepNets.js";
import { digits } from "./digits.js";
import { exceedsByTwoSe, rowOf } from "./stats.js";
import type { Experiment } from "./types.js";

const { sgd } = book;

export const pretrainingExperiment: Experiment = {
  name: "pretraining",
  claim:
    "Greedy supervised pretraining — train a shallow network, keep its first layer, add and train the next one, then " +
    "fine-tune jointly — gives a better starting point for a deep network than training it from scratch (8.7.4, " +
    "Fig. 8.7).",
  seeds: { smoke: 1, quick: 2, full: 3 },
  async run(ctx) {
    const base = { ...DEEP_PLAIN[ctx.size], ...DEEP_SGD };
    // One epoch per stage, the rest of the deep plain network's budget for fine-tuning (at least one).
    const s = {
      ...base,
      epochsPerStage: 1,
      fineTuneEpochs: Math.max(1, base.epochs),
      scratchEpochs: base.depth + Math.max(1, base.epochs),
    };
    const { train, test } = digits(ctx.size);
    const names = ["from scratch", "greedy pretraining + fine-tuning"];
    const network = { depth: s.depth, width: s.width, activation: s.activation };
    const collected = await runVariants(ctx, names, async (variant, seed) => {
      if (variant === "from scratch")
        return trainAndTest({
          model: deepMlp(10, network),
          train,
          test,
          optimizer: sgd(s.lr),
          epochs: s.scratchEpochs,
          batchSize: s.batchSize,
          seed,
          precision: ctx.precision,
        });
      const result = await greedyPretraining({
        train,
        test,
        network,
        optimizer: () => sgd(s.lr),
        epochsPerStage: s.epochsPerStage,
        fineTuneEpochs: s.fineTuneEpochs,
        batchSize: s.batchSize,
        seed,
        precision: ctx.precision,
      });
      disposeTree([result.params, result.modelState]);
      return {
        metrics: {
          testAccuracy: result.fineTune!.test!.accuracy!,
          testLoss: result.fineTune!.test!.loss,
          lastStageTrainLoss: result.stages[result.stages.length - 1].trainLoss,
        },
      };
    });
    const rule = exceedsByTwoSe(collected.metrics[names[1]].testAccuracy, collected.metrics[names[0]].testAccuracy);
    return {
      rows: names.map((v) => rowOf(v, collected.metrics[v])),
      reproduced: rule.holds,
      verdict:
        `rule: test accuracy with pretraining − from scratch > 2 SE, both ${s.scratchEpochs} epochs in all; ` +
        `${rule.text}`,
      chart: {
        title: `Deep sigmoid MLP ${s.depth}×${s.width}: test accuracy by seed`,
        x: "seed",
        yTitle: "test accuracy",
        series: names,
        rows: bySeed(collected, names, ctx.seeds, "testAccuracy"),
      },
      settings: { ...s, trainExamples: train.size, testExamples: test.size },
    };
  },
};
