import { numpy as np } from "@jax-js/jax";
import { random, toDevice } from "../engine/index.js";
import { glorotUniform, orthogonal, type Initializer } from "./init.js";
import { none, type Layer } from "./layer.js";

export interface RnnOptions {
  init?: Initializer;
  /** Recurrent weights: random orthogonal by default (8.4; keeps ‖∂h_t/∂h_{t−1}‖ near 1 at the start). */
  recurrentInit?: Initializer;
  /** Return only the last state [batch, units] instead of all of them (a sequence-to-one model). */
  lastOnly?: boolean;
}

/**
 * Vanilla tanh RNN, h_t = tanh(x_t U + h_{t−1} W + b), h_0 = 0, over [batch, time, features];
 * returns all states [batch, time, units].
 */
export function rnn(units: number, opts: RnnOptions = {}): Layer {
  return {
    kind: "rnn",
    init(key, inputShape, precision) {
      if (inputShape.length !== 2) throw new Error(`rnn expects inputs [time, features], got [${inputShape}]`);
      const [time, features] = inputShape;
      const [k1, k2] = random.splitKey(key);
      const inputWeight = toDevice((opts.init ?? glorotUniform)(k1, [features, units]), [features, units], precision);
      const recurrentWeight = toDevice(
        (opts.recurrentInit ?? orthogonal())(k2, [units, units]),
        [units, units],
        precision,
      );
      const bias = toDevice(new Float64Array(units), [units], precision);
      return {
        params: { inputWeight, recurrentWeight, bias },
        state: none(),
        outputShape: opts.lastOnly ? [units] : [time, units],
      };
    },
    apply(params, state, x) {
      const p = params as { inputWeight: np.Array; recurrentWeight: np.Array; bias: np.Array };
      const time = x.shape[1];
      // Each step projects its own slice of x. Slicing one [n, time, units] projection of all steps
      // instead made the backward pass add up `time` zero-padded cotangents of that whole tensor
      // (one kernel reading time² · n · units values: 5 of the 13 ms of a 50-step training step).
      const states: np.Array[] = [];
      let h: np.Array | undefined;
      for (let t = 0; t < time; t++) {
        const input = np.matmul(x.ref.slice([], t, []), p.inputWeight.ref).add(p.bias.ref);
        h = np.tanh(h ? input.add(np.matmul(h, p.recurrentWeight.ref)) : input);
        if (!opts.lastOnly) states.push(h.ref);
      }
      for (const a of [x, p.inputWeight, p.bias, p.recurrentWeight]) a.dispose();
      // Last state only: no stacking, and no zero cotangents flowing back into every unused state.
      if (opts.lastOnly) return [h!, state];
      h?.dispose();
      return [np.stack(states, 1), state];
    },
  };
}
