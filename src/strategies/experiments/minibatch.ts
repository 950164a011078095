/**
 * The 1/√m law (8.1.3): the standard error of a minibatch gradient against the batch size m, from
 * 1 to the full training set, on a digit classifier at its initialization; the log-log slope is
 * fitted where sampling without replacement is still far from exhausting the set (m ≤ N/8).
 */
import { disposeTree, random, type Precision } from "../../engine/index.js";
import { gradientNoise, modelLoss } from "../../curvature/index.js";
import { subset, type Dataset } from "../../data/index.js";
import { mlp } from "../../nn/index.js";
import { book } from "../../optim/index.js";
import { compilePredict, evaluate, train as trainNetwork, type TrainOptions } from "../../train/index.js";
import { digits } from "./digits.js";
import { fitSlope, fmt, rowOf } from "./stats.js";
import type { Experiment } from "./types.js";

const { sgd } = book;

const SETTINGS = {
  smoke: { draws: 4, targetSizes: [1, 16, 256], epochs: 1 },
  quick: { draws: 10, targetSizes: [1, 16, 256, 2000], epochs: 1 },
  full: { draws: 40, targetSizes: [1, 8, 64, 512, 8000], epochs: 2 },
};
const TARGET = { loss: 0.5, lr: 0.05, probe: 1000, everyExamples: 250 };

/**
 * SGD at batch size m (same ε, the same number of examples for every m): the examples, steps and
 * seconds until the loss on a fixed probe of training examples first falls to the target.
 */
async function timeToTarget(train: Dataset, m: number, epochs: number, seed: number, precision: Precision) {
  const model = mlp(10, { depth: 1, width: 64 });
  const probe = subset(
    train,
    Array.from({ length: Math.min(TARGET.probe, train.size) }, (_, i) => i),
  );
  const predict = compilePredict(model);
  const every = Math.max(1, Math.round(TARGET.everyExamples / m));
  let reached: { step: number; seconds: number } | undefined;
  const started = performance.now();
  let evalSeconds = 0;
  const options: TrainOptions = {
    model,
    train,
    optimizer: sgd(TARGET.lr),
    epochs,
    batchSize: m,
    seed,
    precision,
    sampling: "reshuffle",
    callbacks: {
      onStep: ({ step, state }) => {
        if (reached || step % every !== 0) return;
        const t = performance.now();
        const loss = evaluate(predict, state.params, state.modelState, probe, precision).loss;
        evalSeconds += (performance.now() - t) / 1000;
        // The probe evaluations are not part of the time to target.
        if (loss <= TARGET.loss) reached = { step, seconds: (performance.now() - started) / 1000 - evalSeconds };
        // Once there, stop: the Trainer reads stopAfterSteps before every step.
        if (reached) options.stopAfterSteps = step;
      },
    },
  };
  const result = await trainNetwork(options);
  predict.dispose();
  disposeTree([result.params, result.modelState]);
  return reached ? { examples: reached.step * m, steps: reached.step, seconds: reached.seconds } : undefined;
}

export const minibatchExperiment: Experiment = {
  name: "minibatch",
  claim:
    "The standard error of the mean estimated from n samples is σ/√n: using 100 times more examples to estimate the " +
    "gradient reduces its standard error only 10-fold (8.1.3, eq. 8.2).",
  seeds: { smoke: 1, quick: 2, full: 3 },
  async run(ctx) {
    const s = SETTINGS[ctx.size];
    const { train } = digits(ctx.size);
    const N = train.size;
    const sizes = [...Array.from({ length: Math.floor(Math.log2(N)) + 1 }, (_, i) => 2 ** i), N].filter(
      (m, i, all) => all.indexOf(m) === i,
    );
    const model = mlp(10, { depth: 1, width: 64 });
    const errors: Record<number, number[]> = Object.fromEntries(sizes.map((m) => [m, []]));
    const predicted: Record<number, number[]> = Object.fromEntries(sizes.map((m) => [m, []]));
    const slopes: number[] = [];
    const toTarget: Record<number, { examples: number; steps: number; seconds: number }[]> = {};
    for (const seed of ctx.seeds) {
      ctx.log(`seed ${seed}`);
      const init = model.init(random.randomKey(seed), train.xShape, ctx.precision);
      const noise = gradientNoise({
        loss: modelLoss(model, true),
        params: init.params,
        modelState: init.state,
        data: train,
        precision: ctx.precision,
        batchSizes: sizes,
        draws: s.draws,
        key: random.randomKey(seed + 1000),
      });
      disposeTree([init.params, init.state]);
      for (const row of noise.rows)
        errors[row.batchSize].push(row.rmsError), predicted[row.batchSize].push(row.predictedRms);
      const fitted = noise.rows.filter((r) => r.batchSize <= N / 8);
      slopes.push(
        fitSlope(
          fitted.map((r) => Math.log(r.batchSize)),
          fitted.map((r) => Math.log(r.rmsError)),
        ).slope,
      );
      for (const m of s.targetSizes.filter((m) => m <= N)) {
        ctx.log(`time to loss ≤ ${TARGET.loss} at batch size ${m}, seed ${seed}`);
        const t = await timeToTarget(train, m, s.epochs, seed, ctx.precision);
        (toTarget[m] ??= []).push(t ?? { examples: NaN, steps: NaN, seconds: NaN });
      }
    }
    const meanSlope = slopes.reduce((a, b) => a + b, 0) / slopes.length;
    const holds = Math.abs(meanSlope + 0.5) <= 0.1;
    return {
      rows: [
        ...sizes.map((m) => rowOf(`m = ${m}`, { gradientRmsError: errors[m], predictedRms: predicted[m] })),
        rowOf("log-log slope (m ≤ N/8)", { slope: slopes }),
        ...Object.entries(toTarget).map(([m, runs]) => {
          const done = runs.filter((r) => Number.isFinite(r.examples));
          const row = done.length
            ? rowOf(`SGD m = ${m}: to loss ≤ ${TARGET.loss}`, {
                examples: done.map((r) => r.examples),
                steps: done.map((r) => r.steps),
                seconds: done.map((r) => r.seconds),
              })
            : { variant: `SGD m = ${m}: to loss ≤ ${TARGET.loss}` };
          return { ...row, reachedRuns: done.length, runs: runs.length };
        }),
      ],
      reproduced: holds,
      verdict:
        `rule: the fitted log-log slope of ‖g_B − g‖ against m over m ≤ N/8 lies in −0.5 ± 0.1; measured ` +
        `${fmt(meanSlope)} (per seed: ${slopes.map(fmt).join(", ")}). Time to a target loss: SGD ε = ${TARGET.lr}, ` +
        `${s.epochs} epoch(s) of examples for every m, loss on ${TARGET.probe} training examples (wall-clock on a ` +
        `shared machine: indicative only).`,
      chart: {
        title: `Minibatch gradient error vs batch size (N = ${N}, MLP 784-64-10 at init)`,
        x: "batchSize",
        xTitle: "batch size m",
        yTitle: "rms ‖g_B − g‖",
        series: ["measured", "σ/√m·√((N−m)/(N−1))"],
        rows: sizes
          .filter((m) => m < N)
          .map((m) => ({ batchSize: m, measured: mean(errors[m]), "σ/√m·√((N−m)/(N−1))": mean(predicted[m]) })),
        logX: true,
        logY: true,
      },
      settings: { ...s, target: TARGET, examples: N, batchSizes: sizes, model: "mlp 784-64-10 ReLU (He init)" },
    };
  },
};

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
