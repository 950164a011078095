/** Runs each variant of an experiment on each seed and collects its metrics and per-epoch curves. */
import { disposeTree } from "../../engine/index.js";
import {
  train,
  TrainingDivergedError,
  type MetricsRecord,
  type TrainOptions,
  type TrainResult,
} from "../../train/index.js";
import type { ExperimentContext } from "./types.js";

export interface VariantRun {
  metrics: Record<string, number>;
  curve?: MetricsRecord[];
}

export interface Collected {
  /** metrics[variant][metric] = one value per seed. */
  metrics: Record<string, Record<string, number[]>>;
  curves: Record<string, MetricsRecord[][]>;
}

export async function runVariants(
  ctx: ExperimentContext,
  variants: string[],
  runOne: (variant: string, seed: number) => Promise<VariantRun>,
): Promise<Collected> {
  const metrics: Collected["metrics"] = Object.fromEntries(variants.map((v) => [v, {}]));
  const curves: Collected["curves"] = Object.fromEntries(variants.map((v) => [v, []]));
  for (const seed of ctx.seeds) {
    for (const variant of variants) {
      ctx.log(`${variant}, seed ${seed}`);
      let run: VariantRun;
      try {
        run = { ...(await runOne(variant, seed)) };
        run.metrics = { ...run.metrics, diverged: 0 };
      } catch (error) {
        // A run stopped by the non-finite or divergence guard is a result (counted), not a crash.
        if (!(error instanceof TrainingDivergedError)) throw error;
        ctx.log(`${variant}, seed ${seed}: diverged (${error.message})`);
        run = { metrics: { testAccuracy: NaN, testLoss: NaN, diverged: 1 } };
      }
      for (const [k, v] of Object.entries(run.metrics)) (metrics[variant][k] ??= []).push(v);
      if (run.curve) curves[variant].push(run.curve);
    }
  }
  return { metrics, curves };
}

/** Chart rows of one metric per seed: {seed, [variant]: value} for each seed, in the order of `seeds`. */
export function bySeed(
  collected: Collected,
  variants: string[],
  seeds: number[],
  metric: string,
): Record<string, number>[] {
  return seeds.map((seed, i) => ({
    seed,
    ...Object.fromEntries(variants.map((v) => [v, collected.metrics[v][metric][i]])),
  }));
}

/** The test metrics and epoch curve of a finished run (disposes its parameters). */
export function digitsRun(result: TrainResult, curve: MetricsRecord[]): VariantRun {
  disposeTree([result.params, result.modelState]);
  disposeTree(result.averagedParams);
  return { metrics: { testAccuracy: result.test!.accuracy!, testLoss: result.test!.loss }, curve };
}

/** Trains with the test set as the per-epoch validation curve; returns digitsRun's metrics. */
export async function trainAndTest(opts: TrainOptions): Promise<VariantRun> {
  const curve: MetricsRecord[] = [];
  const result = await train({ ...opts, validation: opts.test, callbacks: { onEpochEnd: (r) => void curve.push(r) } });
  return digitsRun(result, curve);
}
