import { random } from "../engine/index.js";
import type { Tree } from "../engine/index.js";
import type { Layer } from "./layer.js";

/** Layers applied in order; params and state are arrays with one entry per layer. */
export function sequential(...layers: Layer[]): Layer & { layers: Layer[] } {
  return {
    kind: "sequential",
    layers,
    init(key, inputShape, precision) {
      const keys = random.splitKey(key, layers.length);
      const params: Tree[] = [];
      const state: Tree[] = [];
      let shape = inputShape;
      layers.forEach((layer, i) => {
        const out = layer.init(keys[i], shape, precision);
        params.push(out.params);
        state.push(out.state);
        shape = out.outputShape;
      });
      return { params, state, outputShape: shape };
    },
    apply(params, state, x, ctx) {
      const ps = params as Tree[];
      const ss = state as Tree[];
      const newState: Tree[] = [];
      let h = x;
      layers.forEach((layer, i) => {
        const [y, s] = layer.apply(ps[i], ss[i], h, ctx);
        newState.push(s);
        h = y;
      });
      return [h, newState];
    },
  };
}

/** y = x + f(x): a skip connection around `inner`, whose output shape must equal its input shape. */
export function residual(inner: Layer): Layer {
  return {
    kind: "residual",
    init(key, inputShape, precision) {
      const out = inner.init(key, inputShape, precision);
      if (out.outputShape.join(",") !== inputShape.join(",")) {
        throw new Error(`residual block changes shape [${inputShape}] → [${out.outputShape}]`);
      }
      return out;
    },
    apply(params, state, x, ctx) {
      const [y, s] = inner.apply(params, state, x.ref, ctx);
      return [x.add(y), s];
    },
  };
}
