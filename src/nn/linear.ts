import { numpy as np } from "@jax-js/jax";
import { random, toDevice, type Precision } from "../engine/index.js";
import { glorotUniform, zerosInit, constantInit, type Initializer } from "./init.js";
import { none, type Layer } from "./layer.js";

export interface LinearOptions {
  init?: Initializer;
  /** Initial bias value (8.4: 0 by default; 0.1 for ReLU hidden units to start them active). */
  bias?: number | false;
}

/** Creates {weight, bias?} for a layer whose weight has `shape` (last axis = units). */
export function weightAndBias(
  key: random.Key,
  shape: number[],
  precision: Precision,
  opts: LinearOptions,
): { weight: np.Array; bias?: np.Array } {
  const init = opts.init ?? glorotUniform;
  const weight = toDevice(init(key, shape), shape, precision);
  if (opts.bias === false) return { weight };
  const units = shape[shape.length - 1];
  const bias = opts.bias ? constantInit(opts.bias)(key, [units]) : zerosInit(key, [units]);
  return { weight, bias: toDevice(bias, [units], precision) };
}

/** y = x W + b over the last axis; W is [in, out]. */
export function linear(units: number, opts: LinearOptions = {}): Layer {
  return {
    kind: "linear",
    init(key, inputShape, precision) {
      const fanIn = inputShape[inputShape.length - 1];
      return {
        params: weightAndBias(key, [fanIn, units], precision, opts),
        state: none(),
        outputShape: [...inputShape.slice(0, -1), units],
      };
    },
    apply(params, state, x) {
      const p = params as { weight: np.Array; bias?: np.Array };
      const y = np.matmul(x, p.weight);
      return [p.bias ? y.add(p.bias) : y, state];
    },
  };
}
