import type { ScalarOrSchedule } from "./schedule.js";
import { scaleByAdam, scaleByLearningRate, traceMomentum } from "./primitives.js";
import { chain, type GradientTransformation } from "./transform.js";

/** Plain minibatch SGD (Alg. 8.1): θ ← θ − ε_k g. */
export const sgd = (lr: ScalarOrSchedule): GradientTransformation => scaleByLearningRate(lr);

/** SGD with momentum, v ← αv + g, θ ← θ − εv (equal to Alg. 8.2 for a constant ε). */
export const momentum = (lr: ScalarOrSchedule, alpha = 0.9): GradientTransformation => chain(traceMomentum(alpha), scaleByLearningRate(lr));

/** Adam (Alg. 8.7). */
export const adam = (lr: ScalarOrSchedule = 1e-3, rho1 = 0.9, rho2 = 0.999, delta = 1e-8): GradientTransformation =>
  chain(scaleByAdam(rho1, rho2, delta), scaleByLearningRate(lr));
