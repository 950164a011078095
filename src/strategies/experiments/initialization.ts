/**
 * Initialization (8.4): Glorot, He, orthogonal, sparse and data-driven
 * scaling on a deep ReLU and a deep tanh network, same SGD budget.
 */
import { gatherBatch } from "../../data/index.js";
import { random, toDevice, type Tree } from "../../engine/index.js";
import { mlp, scaleToUnitActivations, type ActivationName, type InitName } from "../../nn/index.js";
import { book } from "../../optim/index.js";
import { bySeed, runVariants, trainAndTest } from "./compare.js";
import { digits } from "./digits.js";
import { exceedsByTwoSe, rowOf } from "./stats.js";
import type { Experiment } from "./types.js";

const { sgd } = book;

const SETTINGS = {
  smoke: { depth: 4, width: 16, epochs: 1 },
  quick: { depth: 10, width: 64, epochs: 1 },
  full: { depth: 10, width: 64, epochs: 3 },
};
const INITS: { name: string; init: InitName; dataDriven?: boolean }[] = [
  { name: "glorot", init: "glorot" },
  { name: "he", init: "he" },
  { name: "orthogonal", init: "orthogonal" },
  { name: "sparse", init: "sparse" },
  { name: "data-driven (glorot, unit activations)", init: "glorot", dataDriven: true },
];

export const initializationExperiment: Experiment = {
  name: "initialization",
  claim:
    "The initial scale of the weights matters for deep networks: a scale matched to the units (He et al.'s for ReLU) " +
    "or to the data (rescaling each layer to unit activations) keeps signals from vanishing or exploding, so " +
    "training starts faster (8.4).",
  seeds: { smoke: 1, quick: 1, full: 3 },
  async run(ctx) {
    const s = { ...SETTINGS[ctx.size], lr: 0.05, batchSize: 64 };
    const { train, test } = digits(ctx.size);
    const activations: ActivationName[] = ["relu", "tanh"];
    const names = activations.flatMap((a) => INITS.map((i) => `${a}: ${i.name}`));
    const collected = await runVariants(ctx, names, (variant, seed) => {
      const [activation, initName] = variant.split(": ") as [ActivationName, string];
      const spec = INITS.find((i) => i.name === initName)!;
      const model = mlp(10, { depth: s.depth, width: s.width, activation, init: spec.init });
      const initialize = spec.dataDriven
        ? (params: Tree, state: Tree) => {
            const idx = random.permutation(random.randomKey(seed), train.size).subarray(0, Math.min(256, train.size));
            const x = toDevice(gatherBatch(train, idx).x, [idx.length, ...train.xShape], ctx.precision);
            const scaled = scaleToUnitActivations(model, params, state, x, ctx.precision);
            x.dispose();
            return scaled;
          }
        : undefined;
      return trainAndTest({
        model,
        train,
        test,
        optimizer: sgd(s.lr),
        epochs: s.epochs,
        batchSize: s.batchSize,
        seed,
        precision: ctx.precision,
        initialize,
      });
    });
    const rule = exceedsByTwoSe(
      collected.metrics["relu: he"].testAccuracy,
      collected.metrics["relu: glorot"].testAccuracy,
    );
    return {
      rows: names.map((v) => rowOf(v, collected.metrics[v])),
      reproduced: rule.holds,
      verdict:
        `rule: on the deep ReLU network, test accuracy with He − with Glorot > 2 SE; ${rule.text}. The other ` +
        `initializations are reported as measured.`,
      chart: {
        title: `Deep MLPs ${s.depth}×${s.width}, SGD ε = ${s.lr}, ${s.epochs} epoch(s): test accuracy`,
        x: "seed",
        yTitle: "test accuracy",
        series: names,
        rows: bySeed(collected, names, ctx.seeds, "testAccuracy"),
      },
      settings: { ...s, trainExamples: train.size, testExamples: test.size },
    };
  },
};
