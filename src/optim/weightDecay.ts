import { release, resolve, use } from "./hyper.js";
import type { ScalarOrSchedule } from "./schedule.js";
import { countedMap, type CountState, mapTree, requireParams, type GradientTransformation } from "./transform.js";

/**
 * u ← u + λθ. Before a preconditioner this is coupled weight decay: the gradient of the L2 penalty
 * λ/2‖θ‖² joins the loss gradient (PyTorch's `weight_decay` of SGD, Adagrad, RMSprop, Adam). After
 * the preconditioner and before the rate it is decoupled (AdamW: θ ← θ − ε(û + λθ)).
 */
export function addDecayedWeights(weightDecay: ScalarOrSchedule): GradientTransformation<CountState> {
  return countedMap((updates, k, params) => {
    const theta = requireParams(params, "addDecayedWeights");
    const lambda = resolve(weightDecay, k);
    const out = mapTree((u, p) => u.add(p.mul(use(lambda))), updates, theta);
    release(lambda);
    return out;
  });
}

/**
 * Decoupled weight decay after a complete optimizer (Loshchilov & Hutter): Δθ ← Δθ − ε_k λθ, with ε_k
 * the same rate (or schedule) as the optimizer's. Equal to AdamW's θ ← θ(1 − ελ) on any optimizer.
 */
export function decoupledWeightDecay(
  weightDecay: ScalarOrSchedule,
  lr: ScalarOrSchedule,
): GradientTransformation<CountState> {
  return countedMap((updates, k, params) => {
    const theta = requireParams(params, "decoupledWeightDecay");
    const [lambda, eps] = [resolve(weightDecay, k), resolve(lr, k)];
    const product =
      typeof lambda !== "number"
        ? lambda.ref.mul(use(eps))
        : typeof eps !== "number"
          ? eps.ref.mul(lambda)
          : lambda * eps;
    const out = mapTree((u, p) => u.sub(p.mul(use(product))), updates, theta);
    release(lambda, eps, product);
    return out;
  });
}
