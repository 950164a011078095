import { createHash } from "node:crypto";
import type { Distribution, Scalar, SweepConfig } from "./config.js";

/** One run of the base command: its settings (base ∪ grid point ∪ random draw ∪ seed) and a stable id. */
export interface Trial {
  id: string;
  config: Record<string, Scalar>;
}

/** Key order does not change a trial's id. */
function canonical(value: Record<string, Scalar>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

/** The id of a trial: a hash of its command and full config (seed included), so a rerun of the sweep finds it again. */
export function trialId(command: string, config: Record<string, Scalar>): string {
  return createHash("sha256")
    .update(`${command}\n${canonical(config)}`)
    .digest("hex")
    .slice(0, 12);
}

/** Every combination of the grid's values, in the config's key order (last key varies fastest). */
export function gridPoints(grid: Record<string, Scalar[]>): Record<string, Scalar>[] {
  let points: Record<string, Scalar>[] = [{}];
  for (const [key, values] of Object.entries(grid))
    points = points.flatMap((p) => values.map((v) => ({ ...p, [key]: v })));
  return points;
}

/** mulberry32: a small seeded generator, so random search draws the same values on every machine. */
export function seededUniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function draw(d: Distribution, u: () => number): Scalar {
  if ("logUniform" in d) {
    const [lo, hi] = d.logUniform;
    return Math.exp(Math.log(lo) + u() * (Math.log(hi) - Math.log(lo)));
  }
  if ("uniform" in d) return d.uniform[0] + u() * (d.uniform[1] - d.uniform[0]);
  return d.choice[Math.min(d.choice.length - 1, Math.floor(u() * d.choice.length))];
}

/** The sweep's trials: (random draws × grid points) × seeds, in a fixed order; duplicates collapse to one. */
export function expandTrials(sweep: SweepConfig): Trial[] {
  const u = seededUniform(sweep.searchSeed);
  const randomKeys = Object.keys(sweep.random);
  const draws =
    randomKeys.length === 0
      ? [{}]
      : Array.from({ length: sweep.trials! }, () =>
          Object.fromEntries(randomKeys.map((k) => [k, draw(sweep.random[k], u)])),
        );
  const trials = new Map<string, Trial>();
  for (const sample of draws) {
    for (const point of sweep.points ?? gridPoints(sweep.grid)) {
      for (const seed of sweep.seeds) {
        const config = { ...sweep.base, ...point, ...sample, seed };
        const id = trialId(sweep.command, config);
        if (!trials.has(id)) trials.set(id, { id, config });
      }
    }
  }
  const list = [...trials.values()];
  // Without random search, "trials" caps the grid (a budget).
  return randomKeys.length === 0 && sweep.trials !== undefined
    ? list.slice(0, sweep.trials * sweep.seeds.length)
    : list;
}
