import { numpy as np } from "@jax-js/jax";
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
 * Max-pooling over non-overlapping size×size windows of NHWC inputs (edges that do not fill a
 * window are dropped), as a tree of elementwise maximums of the size² strided window views
 * [n, ho, wo, c]: forward one elementwise kernel, backward elementwise selects on the pooled
 * size plus one scatter of the views (engine/gemm/viewSum.ts), where a reduce-max's gradient
 * counts ties with a reduction and scatters through 6-D `where` kernels (docs/performance.md).
 * Ties: jax-js's maximum(x, y) sends the tangent to x unless x < y, so the whole gradient goes
 * to the first maximal element in row-major window order (x is always the earlier half), as
 * PyTorch's max_pool2d does. Under jit, engine/gemm/maxPoolRewrite.ts runs the kernels jax-js makes of
 * this tree as one forward and one backward kernel, bit-identical.
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
      const windows = cropped.reshape([n, ho, size, wo, size, c]);
      let views: np.Array[] = [];
      for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) views.push(windows.ref.slice([], [], i, [], j, []));
      windows.dispose();
      // A balanced tree of maximums over the views in row-major order (a chain measured ~4 % slower per
      // CNN step): every node keeps its left, earlier operand on ties, so the first maximum wins.
      while (views.length > 1) {
        const next: np.Array[] = [];
        for (let t = 0; t + 1 < views.length; t += 2) next.push(np.maximum(views[t], views[t + 1]));
        if (views.length % 2) next.push(views[views.length - 1]);
        views = next;
      }
      return [views[0], state];
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
