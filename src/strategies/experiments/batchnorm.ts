/** Batch normalization (8.7.1) on a deep sigmoid network: the same net and learning rate with and without BN. */
import { disposeTree } from "../../engine/index.js";
import { mlp } from "../../nn/index.js";
import { book } from "../../optim/index.js";
import { train, type MetricsRecord } from "../../train/index.js";
import { digits, meanCurves } from "./digits.js";
import { exceedsByTwoSe, rowOf } from "./stats.js";
import type { Experiment } from "./types.js";

const { sgd } = book;

const SETTINGS = {
  smoke: { depth: 8, width: 16, epochs: 1 },
  quick: { depth: 8, width: 64, epochs: 2 },
  full: { depth: 8, width: 64, epochs: 6 },
};

export const batchnormExperiment: Experiment = {
  name: "batchnorm",
  claim:
    "Batch normalization makes deep networks far easier to train: it lets a deep network of saturating units learn " +
    "at a learning rate where the plain network barely moves (8.7.1).",
  seeds: { smoke: 1, quick: 2, full: 3 },
  async run(ctx) {
    const s = { ...SETTINGS[ctx.size], activation: "sigmoid" as const, lr: 0.1, batchSize: 64 };
    const { train: trainSet, test } = digits(ctx.size);
    const variants = { plain: false, batchnorm: true };
    const accuracy: Record<string, number[]> = { plain: [], batchnorm: [] };
    const loss: Record<string, number[]> = { plain: [], batchnorm: [] };
    const curves: Record<string, MetricsRecord[][]> = { plain: [], batchnorm: [] };
    for (const seed of ctx.seeds) {
      for (const [variant, batchNorm] of Object.entries(variants)) {
        ctx.log(`${variant}, seed ${seed}`);
        const records: MetricsRecord[] = [];
        const result = await train({
          model: mlp(10, { depth: s.depth, width: s.width, activation: s.activation, batchNorm }),
          train: trainSet,
          validation: test,
          test,
          optimizer: sgd(s.lr),
          epochs: s.epochs,
          batchSize: s.batchSize,
          seed,
          precision: ctx.precision,
          callbacks: { onEpochEnd: (r) => void records.push(r) },
        });
        accuracy[variant].push(result.test!.accuracy!);
        loss[variant].push(result.test!.loss);
        curves[variant].push(records);
        disposeTree([result.params, result.modelState]);
      }
    }
    const rule = exceedsByTwoSe(accuracy.batchnorm, accuracy.plain);
    return {
      rows: Object.keys(variants).map((v) => rowOf(v, { testAccuracy: accuracy[v], testLoss: loss[v] })),
      reproduced: rule.holds,
      verdict: `rule: test accuracy with BN − without > 2 SE; ${rule.text}`,
      chart: {
        title: `Deep sigmoid MLP (${s.depth}×${s.width}), SGD ε = ${s.lr}: test accuracy`,
        x: "epoch",
        yTitle: "test accuracy",
        series: Object.keys(variants),
        rows: meanCurves(curves, "validationAccuracy"),
      },
      settings: { ...s, trainExamples: trainSet.size, testExamples: test.size },
    };
  },
};
