/**
 * Gradient clipping at a cliff (8.2.4, Fig. 8.3): a Gaussian well whose slope holds a steep cliff.
 * Gradient descent that steps off the cliff face is catapulted far away, onto the flat outside of
 * the well, and never returns; clipping the gradient's norm keeps the step small there.
 */
import { numpy as np, grad, jit } from "@jax-js/jax";
import { random, toDevice, type Precision } from "../../engine/index.js";
import { sigmoidFn } from "../../nn/index.js";
import { exceedsByTwoSe, rowOf } from "./stats.js";
import type { Experiment } from "./types.js";

const SETTINGS = { smoke: { runs: 10, steps: 100 }, quick: { runs: 50, steps: 300 }, full: { runs: 200, steps: 400 } };
const CLIFF = { well: 1.5, height: 2, steepness: 50, at: -1.25 };

/**
 * f(θ) = 1 − exp(−‖θ‖²/2s²) + H·σ(k(c − θ₁)) for each row θ of a [runs, 2] array, summed (rows are independent runs).
 */
export function cliffObjective(thetas: np.Array): np.Array {
  const r2 = np.square(thetas.ref).sum(1);
  const well = np
    .exp(r2.mul(-1 / (2 * CLIFF.well ** 2)))
    .neg()
    .add(1);
  const first = thetas.slice([], 0);
  // H·σ(k(c − θ₁)), overflow-free
  const cliff = sigmoidFn(first.neg().add(CLIFF.at).mul(CLIFF.steepness)).mul(CLIFF.height);
  return well.add(cliff).sum();
}

/** Gradient descent on every run at once, with each run's gradient clipped to norm ≤ `clip` (Infinity: no clipping). */
function descend(
  x0: Float64Array,
  runs: number,
  steps: number,
  lr: number,
  clip: number,
  precision: Precision,
): { final: Float64Array; maxRadius: Float64Array } {
  const gradient = jit(grad(cliffObjective));
  const x = Float64Array.from(x0);
  const maxRadius = new Float64Array(runs);
  try {
    for (let t = 0; t < steps; t++) {
      const g = gradient(toDevice(x, [runs, 2], precision)).dataSync() as ArrayLike<number>;
      for (let r = 0; r < runs; r++) {
        const norm = Math.hypot(g[2 * r], g[2 * r + 1]);
        const scale = norm > clip ? clip / norm : 1;
        x[2 * r] -= lr * scale * g[2 * r];
        x[2 * r + 1] -= lr * scale * g[2 * r + 1];
        maxRadius[r] = Math.max(maxRadius[r], Math.hypot(x[2 * r], x[2 * r + 1]));
      }
    }
  } finally {
    gradient.dispose();
  }
  return { final: x, maxRadius };
}

export const clippingExperiment: Experiment = {
  name: "clipping",
  claim:
    "On the face of a cliff the gradient can catapult the parameters very far, losing most of the optimization work; " +
    "clipping the gradient's norm (8.2.4, Fig. 8.3) keeps the step small and the descent on course.",
  seeds: { smoke: 1, quick: 3, full: 5 },
  async run(ctx) {
    const s = { ...SETTINGS[ctx.size], lr: 0.5, clipNorm: 1, ...CLIFF };
    const lost: Record<string, number[]> = { "no clipping": [], "clip ‖g‖ ≤ 1": [] };
    const reached: Record<string, number[]> = { "no clipping": [], "clip ‖g‖ ≤ 1": [] };
    const histogram: Record<string, number | string>[] = [];
    for (const seed of ctx.seeds) {
      ctx.log(`seed ${seed}`);
      const [k1, k2] = random.splitKey(random.randomKey(seed), 2);
      const u = random.uniform(k1, s.runs, -3, -2);
      const v = random.uniform(k2, s.runs, -1, 1);
      const x0 = Float64Array.from({ length: 2 * s.runs }, (_, i) => (i % 2 === 0 ? u[i >> 1] : v[i >> 1]));
      for (const [variant, clip] of [
        ["no clipping", Infinity],
        ["clip ‖g‖ ≤ 1", s.clipNorm],
      ] as const) {
        const { final, maxRadius } = descend(x0, s.runs, s.steps, s.lr, clip, ctx.precision);
        const radius = (r: number) => Math.hypot(final[2 * r], final[2 * r + 1]);
        const startRadius = (r: number) => Math.hypot(x0[2 * r], x0[2 * r + 1]);
        // Lost: it ended farther from the minimum than it started (or not finite). Reached: within 0.1 of it.
        lost[variant].push(
          Array.from({ length: s.runs }, (_, r) => !(radius(r) <= startRadius(r))).filter(Boolean).length / s.runs,
        );
        reached[variant].push(
          Array.from({ length: s.runs }, (_, r) => radius(r) < 0.1).filter(Boolean).length / s.runs,
        );
        for (let r = 0; r < s.runs; r++) histogram.push({ variant, seed, run: r, maxRadius: maxRadius[r] });
      }
    }
    const rule = exceedsByTwoSe(lost["no clipping"], lost["clip ‖g‖ ≤ 1"]);
    const sorted = (variant: string) =>
      histogram
        .filter((h) => h.variant === variant)
        .map((h) => h.maxRadius as number)
        .sort((a, b) => a - b);
    const [a, b] = [sorted("no clipping"), sorted("clip ‖g‖ ≤ 1")];
    const chartRows = a.map((value, i) => ({
      quantile: (i + 0.5) / a.length,
      "no clipping": value,
      "clip ‖g‖ ≤ 1": b[i],
    }));
    return {
      rows: Object.keys(lost).map((variant) =>
        rowOf(variant, { lostShare: lost[variant], reachedShare: reached[variant] }),
      ),
      reproduced: rule.holds,
      verdict:
        `rule: share of runs thrown off (ending farther from the minimum than they started) without clipping ` +
        `− with clipping > 2 SE over seeds; ${rule.text}`,
      chart: {
        title: "Cliff in a Gaussian well: farthest ‖θ_t‖ per run (sorted)",
        x: "quantile",
        xTitle: "quantile of runs",
        yTitle: "max ‖θ_t‖",
        series: ["no clipping", "clip ‖g‖ ≤ 1"],
        rows: chartRows,
        logY: true,
      },
      settings: s,
    };
  },
};
