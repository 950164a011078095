import type { numpy as np } from "@jax-js/jax";
import type { Tree } from "../engine/index.js";
import { lossFunction, type LossKind } from "../losses.js";
import type { Layer } from "./layer.js";

/**
 * The mean loss of `model` in training mode on one batch, with the model state the forward pass
 * produced (batch-norm running statistics): the one objective the Trainer, the closure solvers and the
 * curvature tools differentiate. Consumes its arguments.
 */
export function trainingLoss(model: Layer, kind: LossKind) {
  const loss = lossFunction(kind);
  return (params: Tree, modelState: Tree, x: np.Array, y: np.Array): [np.Array, Tree] => {
    const [out, newState] = model.apply(params, modelState, x, { train: true });
    return [loss(out, y), newState];
  };
}
