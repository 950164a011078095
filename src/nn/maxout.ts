import { numpy as np } from "@jax-js/jax";
import { weightAndBias, type LinearOptions } from "./linear.js";
import { none, type Layer } from "./layer.js";

/** Maxout (Goodfellow et al. 2013): `units` outputs, each the max of `pieces` affine functions of x. */
export function maxout(units: number, pieces = 2, opts: LinearOptions = {}): Layer {
  return {
    kind: "maxout",
    init(key, inputShape, precision) {
      const fanIn = inputShape[inputShape.length - 1];
      return {
        params: weightAndBias(key, [fanIn, units * pieces], precision, opts),
        state: none(),
        outputShape: [...inputShape.slice(0, -1), units],
      };
    },
    apply(params, state, x) {
      const p = params as { weight: np.Array; bias?: np.Array };
      let z = np.matmul(x, p.weight);
      if (p.bias) z = z.add(p.bias);
      return [z.reshape([...z.shape.slice(0, -1), units, pieces]).max(-1), state];
    },
  };
}
