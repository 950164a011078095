/**
 * Polyak averaging (8.7.3): constant-rate SGD, its final iterate
 * against the uniform and the exponential average of the iterates.
 */
import { disposeTree } from "../../engine/index.js";
import { mlp } from "../../nn/index.js";
import { book, polyakAveraging } from "../../optim/index.js";
import { train, type MetricsRecord } from "../../train/index.js";
import { digits, meanCurves } from "./digits.js";
import { pairedExceedsByTwoSe, rowOf } from "./stats.js";
import type { Experiment } from "./types.js";

const { sgd } = book;

const SETTINGS = {
  smoke: { epochs: 1, width: 16 },
  quick: { epochs: 3, width: 64 },
  full: { epochs: 8, width: 128 },
};

export const polyakExperiment: Experiment = {
  name: "polyak",
  claim:
    "Polyak averaging averages the points visited by an optimization algorithm; with a constant learning rate, SGD's " +
    "iterates keep bouncing around the minimum, and their (exponentially decaying) running average lands closer to " +
    "it (8.7.3, eq. 8.39).",
  seeds: { smoke: 1, quick: 2, full: 4 },
  async run(ctx) {
    const s = { ...SETTINGS[ctx.size], depth: 1, lr: 0.2, batchSize: 16, alpha: 0.999 };
    const { train: trainSet, test } = digits(ctx.size);
    // The averages do not change the iterates: the three runs of a seed share one SGD trajectory.
    const variants = {
      "final iterate": () => sgd(s.lr),
      "uniform average": () => polyakAveraging(sgd(s.lr), { kind: "uniform" }),
      "exponential average": () => polyakAveraging(sgd(s.lr), { kind: "exponential", alpha: s.alpha }),
    };
    const names = Object.keys(variants);
    const loss: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    const accuracy: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    const curves: Record<string, MetricsRecord[][]> = Object.fromEntries(names.map((n) => [n, []]));
    for (const seed of ctx.seeds) {
      for (const [variant, optimizer] of Object.entries(variants)) {
        ctx.log(`${variant}, seed ${seed}`);
        const records: MetricsRecord[] = [];
        const result = await train({
          model: mlp(10, { depth: s.depth, width: s.width }),
          train: trainSet,
          validation: test,
          test,
          optimizer: optimizer(),
          epochs: s.epochs,
          batchSize: s.batchSize,
          seed,
          precision: ctx.precision,
          callbacks: { onEpochEnd: (r) => void records.push(r) },
        });
        loss[variant].push(result.test!.loss);
        accuracy[variant].push(result.test!.accuracy!);
        curves[variant].push(records);
        disposeTree([result.params, result.modelState]);
        disposeTree(result.averagedParams);
      }
    }
    const rule = pairedExceedsByTwoSe(loss["final iterate"], loss["exponential average"]);
    const uniform = pairedExceedsByTwoSe(loss["final iterate"], loss["uniform average"]);
    return {
      rows: names.map((v) => rowOf(v, { testLoss: loss[v], testAccuracy: accuracy[v] })),
      reproduced: rule.holds,
      verdict:
        `rule: test loss of the final iterate − of the exponential average (α = ${s.alpha}) > 2 SE, paired by ` +
        `seed; ${rule.text}. (Uniform average: ${uniform.text}, ${uniform.holds ? "lower" : "not lower"}.)`,
      chart: {
        title: `SGD ε = ${s.lr} (constant), batch ${s.batchSize}: test loss`,
        x: "epoch",
        yTitle: "test loss",
        series: names,
        rows: meanCurves(curves, "validationLoss"),
      },
      settings: { ...s, model: `mlp 784-${s.width}-10 ReLU`, trainExamples: trainSet.size, testExamples: test.size },
    };
  },
};
