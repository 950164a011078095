/**
 * The 8.2.1 monitor during training (Fig. 8.1): does gᵀHg grow by an order of magnitude while ‖g‖
 * does not shrink? Measured on a fixed probe batch along constant-rate SGD, in a few settings.
 */
import { disposeTree, random } from "../../engine/index.js";
import { deviceBatch, illConditioningMonitor, modelLoss, type IllConditioningRecord } from "../../curvature/index.js";
import { mlp, type ActivationName } from "../../nn/index.js";
import { book } from "../../optim/index.js";
import { train as trainNetwork } from "../../train/index.js";
import { digits } from "./digits.js";
import { fmt, rowOf } from "./stats.js";
import type { Experiment } from "./types.js";

const { momentum, sgd } = book;

const SETTINGS = {
  smoke: { epochs: 1, probe: 64, measurements: 6 },
  quick: { epochs: 2, probe: 256, measurements: 16 },
  full: { epochs: 8, probe: 512, measurements: 32 },
};
const CASES: {
  name: string;
  activation: ActivationName;
  depth: number;
  width: number;
  lr: number;
  momentum?: number;
}[] = [
  // Names without dots: Vega-Lite reads a dot in a field name as a nested path.
  { name: "relu 2×256, SGD", activation: "relu", depth: 2, width: 256, lr: 0.1 },
  { name: "relu 2×256, momentum", activation: "relu", depth: 2, width: 256, lr: 0.05, momentum: 0.9 },
  { name: "tanh 4×64, SGD", activation: "tanh", depth: 4, width: 64, lr: 0.1 },
];

// Mean of a field over the first or the last quarter of the measurements.
const windowMean = (records: IllConditioningRecord[], field: "gHg" | "gradNorm", last: boolean) => {
  const q = Math.max(1, Math.floor(records.length / 4));
  const part = last ? records.slice(-q) : records.slice(0, q);
  return part.reduce((a, r) => a + r[field], 0) / part.length;
};

export const illConditioningExperiment: Experiment = {
  name: "ill-conditioning",
  claim:
    "Ill-conditioning shows during training as a gradient norm that does not shrink while gᵀHg grows by more than an " +
    "order of magnitude, so the learning rate must shrink to compensate (8.2.1, Fig. 8.1).",
  seeds: { smoke: 1, quick: 1, full: 3 },
  async run(ctx) {
    const s = SETTINGS[ctx.size];
    const { train } = digits(ctx.size);
    const growth: Record<string, number[]> = {};
    const normRatio: Record<string, number[]> = {};
    const chartRows: Record<string, number | string | null>[] = [];
    for (const seed of ctx.seeds) {
      for (const c of CASES) {
        ctx.log(`${c.name}, seed ${seed}`);
        const model = mlp(10, { depth: c.depth, width: c.width, activation: c.activation });
        const idx = random
          .permutation(random.foldIn(random.randomKey(seed), 7), train.size)
          .subarray(0, Math.min(s.probe, train.size));
        const probe = deviceBatch(train, idx, ctx.precision);
        const steps = Math.ceil(train.size / 64) * s.epochs;
        const monitor = illConditioningMonitor({
          loss: modelLoss(model, true),
          probe,
          precision: ctx.precision,
          every: Math.max(1, Math.floor(steps / s.measurements)),
          lr: () => c.lr,
        });
        const result = await trainNetwork({
          model,
          train,
          optimizer: c.momentum ? momentum(c.lr, c.momentum) : sgd(c.lr),
          epochs: s.epochs,
          batchSize: 64,
          seed,
          precision: ctx.precision,
          callbacks: { onStep: (info) => monitor.onStep(info) },
        });
        monitor.dispose();
        disposeTree([result.params, result.modelState, probe.x, probe.y]);
        const r = monitor.records;
        (growth[c.name] ??= []).push(windowMean(r, "gHg", true) / windowMean(r, "gHg", false));
        (normRatio[c.name] ??= []).push(windowMean(r, "gradNorm", true) / windowMean(r, "gradNorm", false));
        if (seed === ctx.seeds[0])
          for (const rec of r)
            chartRows.push({ step: rec.step, [`${c.name}: gᵀHg`]: rec.gHg, [`${c.name}: ‖g‖`]: rec.gradNorm });
      }
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const found = CASES.filter((c) => mean(growth[c.name]) >= 10 && mean(normRatio[c.name]) >= 1);
    return {
      rows: CASES.map((c) => rowOf(c.name, { gHgGrowth: growth[c.name], gradNormRatio: normRatio[c.name] })),
      reproduced: found.length > 0,
      verdict:
        `rule: some setting has gᵀHg (mean of the last quarter of the measurements over the first quarter) ≥ ` +
        `10 while ‖g‖'s ratio ≥ 1, averaged over seeds; ` +
        (found.length
          ? `found: ${found.map((c) => c.name).join("; ")}`
          : `none did (gᵀHg growth ${CASES.map((c) => fmt(mean(growth[c.name]))).join(", ")}; ` +
            `‖g‖ ratio ${CASES.map((c) => fmt(mean(normRatio[c.name]))).join(", ")})`),
      chart: {
        title: "gᵀHg and ‖g‖ on a fixed probe batch during training (first seed)",
        x: "step",
        yTitle: "value",
        series: CASES.flatMap((c) => [`${c.name}: gᵀHg`, `${c.name}: ‖g‖`]),
        rows: chartRows,
        logY: true,
      },
      settings: { ...s, cases: CASES, trainExamples: train.size },
    };
  },
};
