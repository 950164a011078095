/**
 * Continuation (8.7.6) on Rastrigin's function: gradient descent from random starts against the
 * blurred-objective schedule from the same starts, compared by the share of runs that end in the
 * global basin. Rastrigin is a sum over coordinates, so R independent 2-D runs are one problem of
 * dimension 2R (its gradient, and each coordinate's blur noise, touch only that run).
 */
import { numpy as np } from "@jax-js/jax";
import { random, toDevice, type Precision } from "../../engine/index.js";
import type { Problem } from "../../problems/index.js";
import { continuation, geometricSigmas } from "../continuation.js";
import { exceedsByTwoSe, rowOf } from "./stats.js";
import type { Experiment } from "./types.js";

const SETTINGS = {
  smoke: { runs: 10, stepsPerStage: 40 },
  quick: { runs: 50, stepsPerStage: 200 },
  full: { runs: 100, stepsPerStage: 400 },
};

/** Σ_i x_i² − 10 cos(2π x_i) + 10: a local minimum near every integer point, the global one at 0. */
export function rastrigin(dim: number): Problem {
  return {
    name: `rastrigin${dim}`,
    dim,
    x0: new Float64Array(dim),
    f: (x) =>
      np
        .square(x.ref)
        .sub(np.cos(x.mul(2 * Math.PI)).mul(10))
        .add(10)
        .sum(),
    solution: { x: new Float64Array(dim), f: 0 },
    dispose() {},
  };
}

/**
 * The losses of R independent one-unit sine networks ŷ = a·sin(w x) fitting y = sin(3x) on 64 points
 * of [−π, π], summed over runs (θ = [a₁, w₁, a₂, w₂, …]): in w the loss has a poor local minimum
 * near every other frequency, and its global minima are at w = ±3.
 */
export function sineNetworks(runs: number, precision: Precision): Problem {
  const xs = Array.from({ length: 64 }, (_, i) => -Math.PI + (2 * Math.PI * i) / 63);
  const x = toDevice(xs, [1, 64], precision);
  const y = toDevice(
    xs.map((v) => Math.sin(3 * v)),
    [1, 64],
    precision,
  );
  return {
    name: `sine-networks${runs}`,
    dim: 2 * runs,
    x0: new Float64Array(2 * runs),
    f: (theta) => {
      const t = theta.reshape([runs, 2]);
      const a = t.ref.slice([], [0, 1]);
      const w = t.slice([], [1, 2]);
      const fit = a.mul(np.sin(w.mul(x.ref)));
      return np.square(fit.sub(y.ref)).mean(1).sum();
    },
    dispose: () => (x.dispose(), y.dispose()),
  };
}

const sineGlobalShare = (theta: Float64Array, runs: number) =>
  Array.from({ length: runs }, (_, r) => Math.abs(Math.abs(theta[2 * r + 1]) - 3) < 0.5).filter(Boolean).length / runs;

/** Rastrigin's value at one 2-D point. */
const rastriginAt = (a: number, b: number) =>
  a * a + b * b - 10 * Math.cos(2 * Math.PI * a) - 10 * Math.cos(2 * Math.PI * b) + 20;

/**
 * For restarts laid out run-major ([run][restart][2]), the point of
 * each run's restart with the lowest f (the one a user would keep).
 */
function bestOfRestarts(x: Float64Array, runs: number, restarts: number): Float64Array {
  const best = new Float64Array(2 * runs);
  for (let r = 0; r < runs; r++) {
    let bestF = Infinity;
    for (let k = 0; k < restarts; k++) {
      const i = 2 * (r * restarts + k);
      const f = rastriginAt(x[i], x[i + 1]);
      if (f < bestF) (bestF = f), best.set([x[i], x[i + 1]], 2 * r);
    }
  }
  return best;
}

/** The share of 2-D runs (consecutive coordinate pairs) whose coordinates all lie in the global basin |x| < 0.5. */
const globalShare = (x: Float64Array, runs: number) =>
  Array.from({ length: runs }, (_, r) => Math.abs(x[2 * r]) < 0.5 && Math.abs(x[2 * r + 1]) < 0.5).filter(Boolean)
    .length / runs;

export const continuationExperiment: Experiment = {
  name: "continuation",
  claim:
    "Continuation methods make local optimization spend most of its time in well-behaved regions: blurring a " +
    "non-convex objective (eq. 8.40) removes its local minima, so descent from the blurred solutions reaches the " +
    "global minimum more often (8.7.6).",
  seeds: { smoke: 1, quick: 3, full: 5 },
  async run(ctx) {
    const s = {
      ...SETTINGS[ctx.size],
      dims: 2,
      lr: 0.002,
      netLr: 0.05,
      sigmas: geometricSigmas(2, 0.25, 4),
      samples: 16,
      antithetic: true,
      start: 5.12,
    };
    const problem = rastrigin(2 * s.runs);
    const restartsProblem = rastrigin(2 * s.runs * s.samples);
    const stages = s.sigmas.length;
    const restarts = `gradient descent, best of ${s.samples} restarts`;
    const shares: Record<string, number[]> = {
      "gradient descent": [],
      [restarts]: [],
      continuation: [],
      "sine network: gradient descent": [],
      "sine network: continuation": [],
    };
    const chartRows: Record<string, number | string>[] = [];
    for (const seed of ctx.seeds) {
      const x0 = random.uniform(random.randomKey(seed), 2 * s.runs, -s.start, s.start);
      ctx.log(`seed ${seed}`);
      // The same number of descent steps for both; continuation's steps each average `samples` gradients.
      const schedule = { stepsPerStage: s.stepsPerStage, lr: s.lr, seed, precision: ctx.precision };
      const descent = { ...schedule, sigmas: Array(stages).fill(0), samples: 1 }; // σ = 0: plain gradient descent
      const plain = continuation(problem, x0, descent);
      const blurring = { ...schedule, sigmas: s.sigmas, samples: s.samples, antithetic: s.antithetic };
      const blurred = continuation(problem, x0, blurring);
      // The same gradient evaluations as continuation: `samples` restarts
      // per run (the first from the shared start), keeping the lowest f.
      const extra = random.uniform(random.foldIn(random.randomKey(seed), 1), 2 * s.runs * s.samples, -s.start, s.start);
      for (let r = 0; r < s.runs; r++) extra.set(x0.subarray(2 * r, 2 * r + 2), 2 * r * s.samples);
      const many = continuation(restartsProblem, extra, descent);
      shares["gradient descent"].push(globalShare(plain.x, s.runs));
      shares[restarts].push(globalShare(bestOfRestarts(many.x, s.runs, s.samples), s.runs));
      shares.continuation.push(globalShare(blurred.x, s.runs));
      // The small network: starts a ~ U(−1, 1), w ~ U(−10, 10), the same schedule.
      const nets = sineNetworks(s.runs, ctx.precision);
      const u = random.uniform(random.foldIn(random.randomKey(seed), 2), 2 * s.runs, -1, 1);
      const netStart = u.map((v, i) => (i % 2 === 0 ? v : 10 * v));
      const netPlain = continuation(nets, netStart, { ...descent, lr: s.netLr });
      const netBlurred = continuation(nets, netStart, { ...blurring, lr: s.netLr });
      nets.dispose();
      shares["sine network: gradient descent"].push(sineGlobalShare(netPlain.x, s.runs));
      shares["sine network: continuation"].push(sineGlobalShare(netBlurred.x, s.runs));
      blurred.stages.forEach((st, i) =>
        chartRows.push({
          stage: i + 1,
          seed,
          "gradient descent": globalShare(plain.stages[i].x, s.runs),
          continuation: globalShare(st.x, s.runs),
        }),
      );
    }
    const rule = exceedsByTwoSe(shares.continuation, shares["gradient descent"]);
    const fair = exceedsByTwoSe(shares.continuation, shares[restarts]);
    const network = exceedsByTwoSe(shares["sine network: continuation"], shares["sine network: gradient descent"]);
    const steps = stages * s.stepsPerStage;
    const perStage = Array.from({ length: stages }, (_, i) => {
      const rows = chartRows.filter((r) => r.stage === i + 1);
      const mean = (k: string) => rows.reduce((a, r) => a + (r[k] as number), 0) / rows.length;
      return { stage: i + 1, "gradient descent": mean("gradient descent"), continuation: mean("continuation") };
    });
    return {
      rows: [
        {
          ...rowOf("gradient descent", { globalBasinShare: shares["gradient descent"] }),
          gradientEvaluationsPerRun: steps,
        },
        { ...rowOf(restarts, { globalBasinShare: shares[restarts] }), gradientEvaluationsPerRun: steps * s.samples },
        {
          ...rowOf("continuation", { globalBasinShare: shares.continuation }),
          gradientEvaluationsPerRun: steps * s.samples,
        },
        {
          ...rowOf("sine network: gradient descent", { globalBasinShare: shares["sine network: gradient descent"] }),
          gradientEvaluationsPerRun: steps,
        },
        {
          ...rowOf("sine network: continuation", { globalBasinShare: shares["sine network: continuation"] }),
          gradientEvaluationsPerRun: steps * s.samples,
        },
      ],
      reproduced: rule.holds,
      verdict:
        `rule: share of runs in the global basin with continuation − with gradient descent > 2 SE over seeds; ` +
        `${rule.text}. Against ${s.samples} restarts (the same gradient evaluations): ${fair.text}, ` +
        `${fair.holds ? "continuation ahead" : "continuation not ahead"}. Sine network (global basin ||w| − 3| < ` +
        `0.5): ${network.text}, ${network.holds ? "continuation ahead" : "continuation not ahead"}.`,
      chart: {
        title: `2-D Rastrigin: share of runs in the global basin after each stage`,
        x: "stage",
        yTitle: "share in global basin",
        series: ["gradient descent", "continuation"],
        rows: perStage,
      },
      settings: { ...s, stages, stepsPerRun: steps },
    };
  },
};
