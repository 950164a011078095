/**
 * Per-layer gradient norms over training (8.2.4–8.2.5): vanishing gradients show as the norms of
 * early layers falling far below those of late layers; exploding ones as sudden growth. Reads the
 * squared norms the compiled training step already returns, so it costs nothing on the device.
 */

export interface LayerNormRecord {
  step: number;
  /** Mean over the window of ‖∂L/∂θ_l‖ for each parameter tensor, by path. */
  norms: Record<string, number>;
  /** Mean over the window of the whole minibatch gradient's norm. */
  total: number;
  /** Steps in the window: `every`, or fewer for the run's trailing partial window. */
  steps: number;
}

/** What this recorder reads from a training step (the Trainer's onStep info fits). */
export interface GradientStatsInfo {
  step: number;
  stats: { gradNormSq: ArrayLike<number> };
  paramPaths: string[];
}

/**
 * Averages per-parameter gradient norms over windows of `every` steps; a trailing partial window ends at `lastStep`.
 */
export function layerGradientNorms(every: number, lastStep?: number) {
  if (!(every >= 1)) throw new Error(`layer norms need every >= 1, got ${every}`);
  const records: LayerNormRecord[] = [];
  let sums: number[] = [];
  let total = 0;
  let count = 0;
  return {
    records,
    onStep({ step, stats, paramPaths }: GradientStatsInfo): void {
      if (sums.length !== paramPaths.length) sums = new Array(paramPaths.length).fill(0);
      let sq = 0;
      for (let i = 0; i < paramPaths.length; i++) {
        sums[i] += Math.sqrt(stats.gradNormSq[i]);
        sq += stats.gradNormSq[i];
      }
      total += Math.sqrt(sq);
      count++;
      if (step % every !== 0 && step !== lastStep) return;
      records.push({
        step,
        norms: Object.fromEntries(paramPaths.map((p, i) => [p, sums[i] / count])),
        total: total / count,
        steps: count,
      });
      sums.fill(0);
      total = 0;
      count = 0;
    },
  };
}
