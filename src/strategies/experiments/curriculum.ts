/**
 * Curriculum learning (8.7.6) on the adding problem with a vanilla RNN: sequence lengths vary
 * (shorter ones left-padded with zero steps to the longest), difficulty = length; no curriculum vs
 * a deterministic staged curriculum vs a stochastic (mixed) one, tested on the longest sequences.
 */
import { addingProblem, type Dataset } from "../../data/index.js";
import { sequential, linear, rnn, glorotUniform } from "../../nn/index.js";
import { book } from "../../optim/index.js";
import { linearShare, stagedCurriculum, stochasticCurriculum } from "../curriculum.js";
import { runVariants, trainAndTest } from "./compare.js";
import { meanCurves } from "./digits.js";
import { exceedsByTwoSe, rowOf } from "./stats.js";
import type { Experiment } from "./types.js";

const { adam } = book;

const SETTINGS = {
  smoke: { longest: 8, shortest: 4, count: 256, epochs: 2, units: 8 },
  quick: { longest: 30, shortest: 5, count: 2000, epochs: 6, units: 32 },
  full: { longest: 50, shortest: 5, count: 4000, epochs: 12, units: 32 },
};

/** Adding-problem sequences of every length in [shortest, longest], left-padded with zero steps to `longest`. */
export function paddedAdding(
  count: number,
  shortest: number,
  longest: number,
  seed: number,
): { data: Dataset; lengths: Int32Array } {
  const lengths = Int32Array.from({ length: count }, (_, i) => shortest + (i % (longest - shortest + 1)));
  const x = new Float32Array(count * longest * 2);
  const y = new Float32Array(count);
  for (let L = shortest; L <= longest; L++) {
    const members = Array.from(lengths.keys()).filter((i) => lengths[i] === L);
    if (!members.length) continue;
    const part = addingProblem({ count: members.length, length: L, key: seed * 1000 + L });
    members.forEach((i, j) => {
      x.set(part.x.subarray(j * L * 2, (j + 1) * L * 2), (i * longest + (longest - L)) * 2);
      y[i] = part.y[j];
    });
  }
  return {
    data: { name: "adding-padded", x, xShape: [longest, 2], y, yShape: [1], numClasses: 0, size: count },
    lengths,
  };
}

export const curriculumExperiment: Experiment = {
  name: "curriculum",
  claim:
    "Curriculum learning — presenting simpler examples first and harder ones later, or a random mix whose share of " +
    "hard examples rises (Zaremba & Sutskever, 2014) — makes hard tasks easier to learn (8.7.6).",
  seeds: { smoke: 1, quick: 2, full: 3 },
  async run(ctx) {
    const s = { ...SETTINGS[ctx.size], lr: 0.003, batchSize: 64, stages: 4 };
    const names = ["no curriculum", "staged (easy → hard)", "stochastic (rising hard share)"];
    const collected = await runVariants(ctx, names, async (variant, seed) => {
      const { data: train, lengths } = paddedAdding(s.count, s.shortest, s.longest, seed);
      const test = paddedAdding(Math.max(128, s.count / 4), s.longest, s.longest, seed + 500).data;
      const difficulty = Float64Array.from(lengths);
      // The stages take the first 3/4 of training; the stochastic share rises from 0.1 to 0.9 over the same span.
      const epochsPerStage = Math.max(1, Math.floor((0.75 * s.epochs) / s.stages));
      const sampler =
        variant === names[1]
          ? stagedCurriculum({ difficulty, batchSize: s.batchSize, stages: s.stages, epochsPerStage, seed })
          : variant === names[2]
            ? stochasticCurriculum({
                difficulty,
                hardShare: linearShare(0.1, 0.9, 0.75 * s.epochs),
                batchSize: s.batchSize,
                seed,
              })
            : undefined;
      const model = sequential(
        rnn(s.units, { init: glorotUniform, lastOnly: true }),
        linear(1, { init: glorotUniform }),
      );
      const run = await trainAndTest({
        model,
        train,
        test,
        optimizer: adam(s.lr),
        epochs: s.epochs,
        batchSize: s.batchSize,
        seed,
        precision: ctx.precision,
        sampler,
      });
      return { metrics: { testMse: run.metrics.testLoss }, curve: run.curve };
    });
    const mse = (v: string) => collected.metrics[v].testMse;
    const staged = exceedsByTwoSe(mse(names[0]), mse(names[1]));
    const mixed = exceedsByTwoSe(mse(names[0]), mse(names[2]));
    return {
      rows: names.map((v) => rowOf(v, collected.metrics[v])),
      reproduced: staged.holds || mixed.holds,
      verdict:
        `rule: test MSE (length ${s.longest}) without curriculum − with one > 2 SE, for either curriculum; ` +
        `staged: ${staged.text}; stochastic: ${mixed.text}. Predicting the mean scores about 1/6 ≈ 0.167.`,
      chart: {
        title:
          `Adding problem, tanh RNN (${s.units} units), lengths ${s.shortest}–${s.longest}: test MSE at length ` +
          `${s.longest}`,
        x: "epoch",
        yTitle: "test MSE",
        series: names,
        rows: meanCurves(collected.curves, "validationLoss"),
      },
      settings: s,
    };
  },
};
