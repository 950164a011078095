/**
 * The 1/√m law (8.1.3): the standard error of a minibatch gradient against the batch size m, from
 * 1 to the full training set, on a digit classifier at its initialization; the log-log slope is
 * fitted where sampling without replacement is still far from exhausting the set (m ≤ N/8).
 */
import { disposeTree, random } from "../../engine/index.js";
import { gradientNoise, modelLoss } from "../../curvature/index.js";
import { mlp } from "../../nn/index.js";
import { digits } from "./digits.js";
import { fitSlope, fmt, rowOf } from "./stats.js";
import type { Experiment } from "./types.js";

const SETTINGS = { smoke: { draws: 4 }, quick: { draws: 10 }, full: { draws: 40 } };

export const minibatchExperiment: Experiment = {
  name: "minibatch",
  claim: "The standard error of the mean estimated from n samples is σ/√n: using 100 times more examples to estimate the gradient reduces its standard error only 10-fold (8.1.3, eq. 8.2).",
  seeds: { smoke: 1, quick: 2, full: 3 },
  async run(ctx) {
    const s = SETTINGS[ctx.size];
    const { train } = digits(ctx.size);
    const N = train.size;
    const sizes = [...Array.from({ length: Math.floor(Math.log2(N)) + 1 }, (_, i) => 2 ** i), N].filter((m, i, all) => all.indexOf(m) === i);
    const model = mlp(10, { depth: 1, width: 64 });
    const errors: Record<number, number[]> = Object.fromEntries(sizes.map((m) => [m, []]));
    const predicted: Record<number, number[]> = Object.fromEntries(sizes.map((m) => [m, []]));
    const slopes: number[] = [];
    for (const seed of ctx.seeds) {
      ctx.log(`seed ${seed}`);
      const init = model.init(random.randomKey(seed), train.xShape, ctx.precision);
      const noise = gradientNoise({ loss: modelLoss(model, true), params: init.params, modelState: init.state, data: train, precision: ctx.precision, batchSizes: sizes, draws: s.draws, key: random.randomKey(seed + 1000) });
      disposeTree([init.params, init.state]);
      for (const row of noise.rows) (errors[row.batchSize].push(row.rmsError), predicted[row.batchSize].push(row.predictedRms));
      const fitted = noise.rows.filter((r) => r.batchSize <= N / 8);
      slopes.push(fitSlope(fitted.map((r) => Math.log(r.batchSize)), fitted.map((r) => Math.log(r.rmsError))).slope);
    }
    const meanSlope = slopes.reduce((a, b) => a + b, 0) / slopes.length;
    const holds = Math.abs(meanSlope + 0.5) <= 0.1;
    return {
      rows: [
        ...sizes.map((m) => rowOf(`m = ${m}`, { gradientRmsError: errors[m], predictedRms: predicted[m] })),
        rowOf("log-log slope (m ≤ N/8)", { slope: slopes }),
      ],
      reproduced: holds,
      verdict: `rule: the fitted log-log slope of ‖g_B − g‖ against m over m ≤ N/8 lies in −0.5 ± 0.1; measured ${fmt(meanSlope)} (per seed: ${slopes.map(fmt).join(", ")})`,
      chart: {
        title: `Minibatch gradient error vs batch size (N = ${N}, MLP 784-64-10 at init)`,
        x: "batchSize",
        xTitle: "batch size m",
        yTitle: "rms ‖g_B − g‖",
        series: ["measured", "σ/√m·√((N−m)/(N−1))"],
        rows: sizes.filter((m) => m < N).map((m) => ({ batchSize: m, measured: mean(errors[m]), "σ/√m·√((N−m)/(N−1))": mean(predicted[m]) })),
        logX: true,
        logY: true,
      },
      settings: { ...s, examples: N, batchSizes: sizes, model: "mlp 784-64-10 ReLU (He init)" },
    };
  },
};

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
