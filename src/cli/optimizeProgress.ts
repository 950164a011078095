import { Objective } from "../problems/index.js";
import { formatSeconds } from "./progress.js";

// The first line after 2 s (no silent wait), then one every 10 s (a log, not a flood).
const FIRST_MS = 2000;
const EVERY_MS = 10000;

/**
 * The objective of `descent optimize`, reporting on stderr while a long run lasts: the evaluations
 * so far and, when the number of steps is known (first-order methods), the time left. Short runs print nothing.
 */
export class ReportingObjective extends Objective {
  private readonly started = performance.now();
  private nextReport = performance.now() + FIRST_MS;
  /** The steps the run will take (one gradient each), when known. */
  plannedSteps: number | undefined;

  override value(x: ArrayLike<number>): number {
    const f = super.value(x);
    this.report(f);
    return f;
  }

  override valueAndGrad(x: ArrayLike<number>): [number, Float64Array] {
    const out = super.valueAndGrad(x);
    this.report(out[0]);
    return out;
  }

  override hvp(x: ArrayLike<number>, v: ArrayLike<number>): Float64Array {
    const out = super.hvp(x, v);
    this.report(NaN);
    return out;
  }

  private report(f: number): void {
    const now = performance.now();
    if (now < this.nextReport) return;
    this.nextReport = now + EVERY_MS;
    const seconds = (now - this.started) / 1000;
    const { fevals, gevals, hvps } = this.counts;
    const eta = this.plannedSteps
      ? `, ETA ${formatSeconds((seconds / Math.max(gevals, 1)) * Math.max(this.plannedSteps - gevals, 0))}`
      : "";
    const value = Number.isFinite(f) ? `, f = ${f.toPrecision(8)}` : "";
    process.stderr.write(
      `optimize: ${fevals} f, ${gevals} ∇f${hvps ? `, ${hvps} Hv` : ""} evaluations in ${formatSeconds(seconds)}` +
        `${value}${eta}\n`,
    );
  }
}
