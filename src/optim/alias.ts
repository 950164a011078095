import { scaleByAdam, scaleByLion } from "./adaptive.js";
import { isConstant } from "./hyper.js";
import { scaleByLearningRate } from "./scale.js";
import type { ScalarOrSchedule } from "./schedule.js";
import { chain, type GradientTransformation } from "./transform.js";
import { addDecayedWeights } from "./weightDecay.js";

/**
 * Optimizers beyond the book and torch.optim. Plain SGD, momentum and Adam are `book.*` (the book's
 * forms) and `torch.*` (PyTorch's forms); this file does not repeat them under a third name.
 */

/** AMSGrad (Reddi, Kale & Kumar 2018): Adam with the running maximum of r, as torch.optim.Adam(amsgrad=True). */
export const amsgrad = (
  lr: ScalarOrSchedule = 1e-3,
  rho1 = 0.9,
  rho2 = 0.999,
  delta: ScalarOrSchedule = 1e-8,
): GradientTransformation => chain(scaleByAdam(rho1, rho2, delta, { amsgrad: true }), scaleByLearningRate(lr));

/** Lion (Chen et al. 2023): θ ← θ − ε(sign(β1 m + (1−β1)g) + λθ), m ← β2 m + (1−β2)g. */
export function lion(
  lr: ScalarOrSchedule = 1e-4,
  beta1: ScalarOrSchedule = 0.9,
  beta2: ScalarOrSchedule = 0.99,
  weightDecay: ScalarOrSchedule = 0,
): GradientTransformation {
  const decay = isConstant(weightDecay, 0) ? [] : [addDecayedWeights(weightDecay)];
  return chain(scaleByLion(beta1, beta2), ...decay, scaleByLearningRate(lr));
}
