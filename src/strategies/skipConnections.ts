/**
 * Skip connections (8.7.5): shorter paths from the lower layers to the output. Deep MLPs get them
 * through deepMlp's `skip` option ("residual" or "to-output"); this file builds the recurrent
 * counterpart, a stack of tanh RNN layers where each layer adds its input (residual) or where the
 * output layer reads every layer's last state (to-output).
 */
import { numpy as np } from "@jax-js/jax";
import { random, type Tree } from "../engine/index.js";
import { glorotUniform, linear, rnn, type Layer } from "../nn/index.js";
import type { SkipKind } from "./deepMlp.js";

export interface DeepRnnOptions {
  /** Stacked RNN layers. */
  layers: number;
  units: number;
  skip?: SkipKind;
}

/** [batch, time, features] → `layers` stacked tanh RNNs → linear(outputs) on the last state(s). */
export function deepRnn(outputs: number, o: DeepRnnOptions): Layer {
  if (!(Number.isInteger(o.layers) && o.layers >= 1))
    throw new Error(`deepRnn layers must be a positive integer, got ${o.layers}`);
  const cells = Array.from({ length: o.layers }, () => rnn(o.units, { init: glorotUniform }));
  const readout = linear(outputs, { init: glorotUniform });
  return {
    kind: "deep-rnn",
    init(key, inputShape, precision) {
      const keys = random.splitKey(key, o.layers + 1);
      let shape = inputShape;
      const params: Tree[] = cells.map((cell, i) => {
        const out = cell.init(keys[i], shape, precision);
        shape = out.outputShape;
        return out.params;
      });
      const lastWidth = o.skip === "to-output" ? o.layers * o.units : o.units;
      const head = readout.init(keys[o.layers], [lastWidth], precision);
      return { params: { layers: params, output: head.params }, state: {}, outputShape: [outputs] };
    },
    apply(params, state, x, ctx) {
      const p = params as { layers: Tree[]; output: Tree };
      const lasts: np.Array[] = [];
      let h = x;
      cells.forEach((cell, i) => {
        const [states] = cell.apply(p.layers[i], {}, i > 0 && o.skip === "residual" ? h.ref : h, ctx);
        h = i > 0 && o.skip === "residual" ? h.add(states) : states;
        lasts.push(h.ref.slice([], h.shape[1] - 1, []));
      });
      h.dispose();
      const features =
        o.skip === "to-output"
          ? np.concatenate(lasts, 1)
          : (lasts.slice(0, -1).forEach((a) => a.dispose()), lasts[lasts.length - 1]);
      const [y] = readout.apply(p.output, {}, features, ctx);
      return [y, state];
    },
  };
}
