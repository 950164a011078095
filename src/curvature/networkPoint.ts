/**
 * The curvature of a network's full-batch training loss at its current parameters: the top-k Hessian
 * eigenvalues by Lanczos, gᵀg, gᵀHg and the 8.2.1 flag for a learning rate, from Hessian-vector
 * products alone (what the playground's panel 3 shows for panel 2, and what Node checks it against).
 */
import { random, type Precision, type Tree } from "../engine/index.js";
import type { Dataset } from "../data/dataset.js";
import { dot } from "../linalg/vector.js";
import type { Layer } from "../nn/index.js";
import { disposeBatches, modelLoss, weightedBatches } from "./modelLoss.js";
import { extremeEigenpairs } from "./spectrum.js";
import { treeLossHessian } from "./treeOperator.js";

export interface NetworkCurvature {
  loss: number;
  /** The largest eigenvalues, descending, each with its Ritz residual ‖Hy − λy‖. */
  top: { value: number; residual: number }[];
  gTg: number;
  gHg: number;
  /** ½ε²gᵀHg > εgᵀg at the given ε: a gradient step of that size goes uphill (8.2.1). */
  illConditioned: boolean;
  /** Hessian-vector products used (Lanczos steps plus one for gᵀHg). */
  hvps: number;
}

/** Borrows params and modelState. The Lanczos start vector comes from `seed`, so equal inputs give equal numbers. */
export function networkCurvature(
  model: Layer,
  params: Tree,
  modelState: Tree,
  data: Dataset,
  precision: Precision,
  opts: { lr: number; top?: number; seed?: number; maxSteps?: number },
): NetworkCurvature {
  const batches = weightedBatches(data, modelState, precision);
  const op = treeLossHessian(modelLoss(model, data.numClasses > 0), params, batches, precision);
  try {
    const [loss, g] = op.valueAndGradient();
    const lanczos = extremeEigenpairs(op, {
      top: opts.top ?? 3,
      key: random.randomKey(opts.seed ?? 0),
      maxSteps: opts.maxSteps,
    });
    const gTg = dot(g, g);
    const gHg = dot(g, op.apply(g));
    const eps = opts.lr;
    return {
      loss,
      top: lanczos.top.map(({ value, residual }) => ({ value, residual })),
      gTg,
      gHg,
      illConditioned: 0.5 * eps * eps * gHg > eps * gTg,
      hvps: lanczos.steps + 1,
    };
  } finally {
    op.dispose();
    disposeBatches(batches);
  }
}
