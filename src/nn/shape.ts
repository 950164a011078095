import { none, stateless, type Layer } from "./layer.js";

/** Flattens each example to a vector. */
export const flatten = (): Layer =>
  stateless(
    "flatten",
    (x) => x.reshape([x.shape[0], -1]),
    (s) => [s.reduce((a, b) => a * b, 1)],
  );

/** Reshapes each example (batch axis kept). */
export const reshape = (shape: number[]): Layer => ({
  kind: "reshape",
  init(_key, inputShape) {
    const n = inputShape.reduce((a, b) => a * b, 1);
    if (shape.reduce((a, b) => a * b, 1) !== n) throw new Error(`cannot reshape [${inputShape}] to [${shape}]`);
    return { params: none(), state: none(), outputShape: shape };
  },
  apply: (_p, state, x) => [x.reshape([x.shape[0], ...shape]), state],
});

/**
 * Max-pooling over non-overlapping size×size windows of NHWC inputs
 * (reshape + max; edges that do not fill a window are dropped).
 */
export function maxPool2d(size = 2): Layer {
  return {
    kind: "maxPool2d",
    init(_key, inputShape) {
      if (inputShape.length !== 3)
        throw new Error(`maxPool2d expects inputs [height, width, channels], got [${inputShape}]`);
      const [h, w, c] = inputShape;
      if (h < size || w < size) throw new Error(`maxPool2d window ${size} does not fit input ${h}×${w}`);
      return { params: none(), state: none(), outputShape: [Math.floor(h / size), Math.floor(w / size), c] };
    },
    apply(_p, state, x) {
      const [n, h, w, c] = x.shape;
      const [ho, wo] = [Math.floor(h / size), Math.floor(w / size)];
      const cropped = ho * size === h && wo * size === w ? x : x.slice([], [0, ho * size], [0, wo * size], []);
      return [cropped.reshape([n, ho, size, wo, size, c]).max([2, 4]), state];
    },
  };
}

/** Keeps the last time step of a [batch, time, features] sequence. */
export const lastStep = (): Layer =>
  stateless(
    "lastStep",
    (x) => x.slice([], x.shape[1] - 1, []),
    (s) => s.slice(1),
  );
