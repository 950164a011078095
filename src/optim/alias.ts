import { scaleByAdam, scaleByLion } from "./adaptive.js";
import { isConstant } from "./hyper.js";
import { traceMomentum } from "./momentum.js";
import { scaleByLearningRate } from "./scale.js";
import type { ScalarOrSchedule } from "./schedule.js";
import { chain, type GradientTransformation } from "./transform.js";
import { addDecayedWeights } from "./weightDecay.js";

/** Plain minibatch SGD (Alg. 8.1): θ ← θ − ε_k g. */
export const sgd = (lr: ScalarOrSchedule): GradientTransformation => scaleByLearningRate(lr);

/** SGD with momentum in PyTorch's form, v ← αv + g, θ ← θ − εv (Alg. 8.2 for a constant ε). */
export const momentum = (lr: ScalarOrSchedule, alpha: ScalarOrSchedule = 0.9): GradientTransformation => chain(traceMomentum(alpha), scaleByLearningRate(lr));

/** Adam (Alg. 8.7). */
export const adam = (lr: ScalarOrSchedule = 1e-3, rho1 = 0.9, rho2 = 0.999, delta: ScalarOrSchedule = 1e-8): GradientTransformation =>
  chain(scaleByAdam(rho1, rho2, delta), scaleByLearningRate(lr));

/** AMSGrad (Reddi, Kale & Kumar 2018): Adam with the running maximum of r, as torch.optim.Adam(amsgrad=True). */
export const amsgrad = (lr: ScalarOrSchedule = 1e-3, rho1 = 0.9, rho2 = 0.999, delta: ScalarOrSchedule = 1e-8): GradientTransformation =>
  chain(scaleByAdam(rho1, rho2, delta, { amsgrad: true }), scaleByLearningRate(lr));

/** Lion (Chen et al. 2023): θ ← θ − ε(sign(β1 m + (1−β1)g) + λθ), m ← β2 m + (1−β2)g. */
export function lion(lr: ScalarOrSchedule = 1e-4, beta1: ScalarOrSchedule = 0.9, beta2: ScalarOrSchedule = 0.99, weightDecay: ScalarOrSchedule = 0): GradientTransformation {
  const decay = isConstant(weightDecay, 0) ? [] : [addDecayedWeights(weightDecay)];
  return chain(scaleByLion(beta1, beta2), ...decay, scaleByLearningRate(lr));
}
