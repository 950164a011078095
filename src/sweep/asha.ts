/** A unit of work ASHA hands out: run `trial` up to rung `rung` (its resource is `resources[rung]`). */
export interface AshaJob {
  trial: string;
  rung: number;
}

/**
 * Asynchronous successive halving (Li et al. 2020, Algorithm 2). Rung k has resource r·η^k (capped at R).
 * When a worker is free, promote the best not-yet-promoted trial of the highest rung whose top 1/η it
 * is in; if there is none, start a new trial at rung 0. Lower metric values are better.
 */
export class Asha {
  readonly resources: number[];
  private readonly results: Map<string, number>[];
  private readonly promoted: Set<string>[];

  constructor(
    readonly eta: number,
    minResource: number,
    maxResource: number,
  ) {
    this.resources = [];
    for (let r = minResource; r < maxResource; r *= eta) this.resources.push(r);
    this.resources.push(maxResource);
    this.results = this.resources.map(() => new Map());
    this.promoted = this.resources.map(() => new Set());
  }

  get topRung(): number {
    return this.resources.length - 1;
  }

  /** Records a trial's metric at a rung (NaN, e.g. a diverged run, ranks last). */
  record(trial: string, rung: number, value: number): void {
    this.results[rung].set(trial, Number.isFinite(value) ? value : Infinity);
    // A result at rung k means the trial was promoted out of every lower rung.
    for (let k = 0; k < rung; k++) this.promoted[k].add(trial);
  }

  /** The next promotion, or undefined when no rung has a promotable trial. Marks it promoted. */
  nextPromotion(): AshaJob | undefined {
    for (let k = this.topRung - 1; k >= 0; k--) {
      const ranked = [...this.results[k]].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
      const top = ranked.slice(0, Math.floor(ranked.length / this.eta));
      const candidate = top.find(([trial]) => !this.promoted[k].has(trial));
      if (candidate) {
        this.promoted[k].add(candidate[0]);
        return { trial: candidate[0], rung: k + 1 };
      }
    }
    return undefined;
  }

  /** The highest rung a trial has a result at, or -1. */
  rungOf(trial: string): number {
    for (let k = this.topRung; k >= 0; k--) if (this.results[k].has(trial)) return k;
    return -1;
  }

  resultAt(trial: string, rung: number): number | undefined {
    return this.results[rung].get(trial);
  }
}
