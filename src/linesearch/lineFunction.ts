import type { Evaluator, LineFunction } from "./types.js";
import { dot, pointAt, type Vec } from "../linalg/vector.js";

/**
 * φ along p from x for an Objective (or any Evaluator); also hands
 * back ∇f at any step it evaluated, so no solver pays twice.
 */
export class ObjectiveLine implements LineFunction {
  private readonly base;
  private readonly gradients = new Map<number, [number, Vec]>();

  constructor(
    readonly objective: Evaluator,
    readonly x: Vec,
    readonly p: Vec,
  ) {
    this.base = { ...objective.counts };
  }

  get counts() {
    return {
      fevals: this.objective.counts.fevals - this.base.fevals,
      gevals: this.objective.counts.gevals - this.base.gevals,
    };
  }

  /** The trial point x + αp (formed the same way every time). */
  point(alpha: number): Vec {
    return pointAt(this.x, alpha, this.p);
  }

  value(alpha: number): number {
    return this.gradients.get(alpha)?.[0] ?? this.objective.value(this.point(alpha));
  }

  valueAndSlope(alpha: number): [number, number] {
    const [f, g] = this.valueAndGrad(alpha);
    return [f, dot(g, this.p)];
  }

  /** f and ∇f at x + αp: free when the search already evaluated them there. */
  valueAndGrad(alpha: number): [number, Vec] {
    let known = this.gradients.get(alpha);
    if (!known) {
      known = this.objective.valueAndGrad(this.point(alpha));
      this.gradients.set(alpha, known);
    }
    return [known[0], Float64Array.from(known[1])];
  }
}

/** φ from plain functions of α (tests, 1-D problems), counted as an Objective would count them. */
export function functionLine(phi: (alpha: number) => number, dphi: (alpha: number) => number): LineFunction {
  const counts = { fevals: 0, gevals: 0 };
  let lastValueAt: number | undefined;
  return {
    counts,
    value(alpha) {
      counts.fevals++;
      lastValueAt = alpha;
      return phi(alpha);
    },
    valueAndSlope(alpha) {
      if (alpha !== lastValueAt) counts.fevals++;
      counts.gevals++;
      lastValueAt = undefined;
      return [phi(alpha), dphi(alpha)];
    },
  };
}
