/**
 * Polyak averaging (8.7.3): constant-rate SGD, its final iterate
 * against the uniform and the exponential average of the iterates.
 */
import { disposeTree, type Tree } from "../../engine/index.js";
import { mlp } from "../../nn/index.js";
import { book, polyakAveraging } from "../../optim/index.js";
import { compilePredict, evaluate, train, type Evaluation, type MetricsRecord } from "../../train/index.js";
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
    const names = ["final iterate", "uniform average", "exponential average"];
    const loss: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    const accuracy: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    const curves: Record<string, MetricsRecord[][]> = Object.fromEntries(names.map((n) => [n, []]));
    for (const seed of ctx.seeds) {
      ctx.log(`seed ${seed}`);
      // The averages never feed back into the iterates: one SGD run per seed carries both, nested.
      const optimizer = polyakAveraging(polyakAveraging(sgd(s.lr), { kind: "uniform" }), {
        kind: "exponential",
        alpha: s.alpha,
      });
      const model = mlp(10, { depth: s.depth, width: s.width });
      const predict = compilePredict(model);
      const final: MetricsRecord[] = [];
      const averaged: Record<string, Evaluation[]> = { "uniform average": [], "exponential average": [] };
      let stepsPerEpoch = 0;
      try {
        const result = await train({
          model,
          train: trainSet,
          validation: test,
          test,
          optimizer,
          evaluateAverage: false,
          epochs: s.epochs,
          batchSize: s.batchSize,
          seed,
          precision: ctx.precision,
          callbacks: {
            onStart: (info) => void (stepsPerEpoch = info.stepsPerEpoch),
            onStep: ({ step, state }) => {
              if (step % stepsPerEpoch !== 0) return;
              const outer = state.optState as { average: Tree; inner: { average: Tree } };
              averaged["uniform average"].push(
                evaluate(predict, outer.inner.average, state.modelState, test, ctx.precision),
              );
              averaged["exponential average"].push(
                evaluate(predict, outer.average, state.modelState, test, ctx.precision),
              );
            },
            onEpochEnd: (r) => void final.push(r),
          },
        });
        loss["final iterate"].push(result.test!.loss);
        accuracy["final iterate"].push(result.test!.accuracy!);
        curves["final iterate"].push(final);
        for (const [variant, evaluations] of Object.entries(averaged)) {
          const last = evaluations[evaluations.length - 1];
          loss[variant].push(last.loss);
          accuracy[variant].push(last.accuracy!);
          curves[variant].push(
            evaluations.map(
              (e, i): MetricsRecord => ({
                type: "epoch",
                epoch: i + 1,
                step: (i + 1) * stepsPerEpoch,
                validationLoss: e.loss,
              }),
            ),
          );
        }
        disposeTree([result.params, result.modelState]);
        disposeTree(result.averagedParams);
      } finally {
        predict.dispose();
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
