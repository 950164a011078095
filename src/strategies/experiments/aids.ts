/** Models that aid optimization (8.7.5): auxiliary heads and skip connections against the same deep plain network. */
import { book } from "../../optim/index.js";
import { auxiliaryHeadsLoss, decayToZero } from "../auxiliaryHeads.js";
import { deepMlp, type SkipKind } from "../deepMlp.js";
import { runVariants, trainAndTest } from "./compare.js";
import { DEEP_PLAIN, DEEP_SGD } from "./deepNets.js";
import { digits, meanCurves } from "./digits.js";
import { exceedsByTwoSe, rowOf } from "./stats.js";
import type { Experiment, ExperimentContext, ExperimentOutcome } from "./types.js";

const { sgd } = book;

async function compareAids(
  ctx: ExperimentContext,
  variants: Record<string, { skip?: SkipKind; heads?: number[] }>,
  method: string,
  title: string,
): Promise<ExperimentOutcome> {
  const s = { ...DEEP_PLAIN[ctx.size], ...DEEP_SGD };
  const { train, test } = digits(ctx.size);
  const steps = Math.ceil(train.size / s.batchSize) * s.epochs;
  const names = Object.keys(variants);
  const collected = await runVariants(ctx, names, (variant, seed) => {
    const { skip, heads = [] } = variants[variant];
    const model = deepMlp(10, {
      depth: s.depth,
      width: s.width,
      activation: s.activation,
      skip,
      auxiliaryHeads: heads,
    });
    // The heads' weight falls linearly from 1 to 0 over the first half of training.
    const loss = heads.length ? auxiliaryHeadsLoss(10, heads.length, decayToZero(1, Math.ceil(steps / 2))) : undefined;
    return trainAndTest({
      model,
      train,
      test,
      optimizer: sgd(s.lr),
      epochs: s.epochs,
      batchSize: s.batchSize,
      seed,
      precision: ctx.precision,
      loss,
    });
  });
  const acc = (v: string) => collected.metrics[v].testAccuracy;
  const rule = exceedsByTwoSe(acc(method), acc("plain"));
  return {
    rows: names.map((v) => rowOf(v, collected.metrics[v])),
    reproduced: rule.holds,
    verdict: `rule: test accuracy of "${method}" − of "plain" > 2 SE; ${rule.text}`,
    chart: {
      title: `${title}: deep sigmoid MLP ${s.depth}×${s.width}, SGD ε = ${s.lr}`,
      x: "epoch",
      yTitle: "test accuracy",
      series: names,
      rows: meanCurves(collected.curves, "validationAccuracy"),
    },
    settings: { ...s, trainExamples: train.size, testExamples: test.size, steps },
  };
}

export const auxiliaryHeadsExperiment: Experiment = {
  name: "auxiliary-heads",
  claim:
    "Adding extra heads to intermediate hidden layers (Lee et al., 2014) provides a stronger gradient signal to the " +
    "lower layers, which makes a deep network easier to train (8.7.5).",
  seeds: { smoke: 1, quick: 2, full: 3 },
  run: (ctx) => {
    const depth = DEEP_PLAIN[ctx.size].depth;
    const heads = Array.from({ length: Math.floor((depth - 1) / 2) }, (_, i) => 2 * i + 1).filter((i) => i < depth - 1);
    return compareAids(
      ctx,
      { plain: {}, "auxiliary heads": { heads } },
      "auxiliary heads",
      `Auxiliary heads on hidden layers ${heads.join(", ")}, weight 1 → 0`,
    );
  },
};

export const skipConnectionsExperiment: Experiment = {
  name: "skip-connections",
  claim:
    "Skip connections from lower layers to higher ones (or to the output) shorten the path the gradient travels, " +
    "which makes very deep networks easier to optimize (8.7.5).",
  seeds: { smoke: 1, quick: 2, full: 3 },
  run: (ctx) =>
    compareAids(
      ctx,
      { plain: {}, residual: { skip: "residual" }, "skip to output": { skip: "to-output" } },
      "residual",
      "Skip connections",
    ),
};
