import { numpy as np } from "@jax-js/jax";
import { weightAndBias, type LinearOptions } from "./linear.js";
import { none, type Layer } from "./layer.js";

export interface Conv2dOptions extends LinearOptions {
  kernel?: number;
  stride?: number;
  padding?: number | "same";
}

const outSize = (n: number, k: number, s: number, p: number) => Math.floor((n + 2 * p - k) / s) + 1;

/**
 * 2-D convolution over NHWC inputs, weight [kh, kw, cin, cout], lowered to im2col: the kh·kw
 * shifted windows are laid side by side into patches [n·ho·wo, kh·kw·cin] and multiplied by the
 * weight seen as [kh·kw·cin, cout], so the forward pass, dW and dPatches are each one GEMM with
 * kh·kw·cin as K, M or N; the gradient of the patches sums the windows' cotangents back into dX.
 * Under jit the patches and that sum are each one data-movement kernel (engine/gemm/viewSum.ts).
 * jax-js's own Wasm convolution runs at ~0.2 GFLOP/s, and the former kh·kw shifted products with
 * K or N = cin lost most of the GEMM's speed (docs/performance.md).
 */
export function conv2d(channels: number, opts: Conv2dOptions = {}): Layer {
  const k = opts.kernel ?? 3;
  const s = opts.stride ?? 1;
  // Symmetric padding keeps the size only for odd kernels (an even one would grow the output by 1).
  if (opts.padding === "same" && k % 2 === 0) throw new Error(`conv2d padding "same" needs an odd kernel, got ${k}`);
  const pad = opts.padding === "same" ? Math.floor(k / 2) : (opts.padding ?? 0);
  return {
    kind: "conv2d",
    init(key, inputShape, precision) {
      if (inputShape.length !== 3)
        throw new Error(`conv2d expects inputs [height, width, channels], got [${inputShape}]`);
      const [h, w, cin] = inputShape;
      const [ho, wo] = [outSize(h, k, s, pad), outSize(w, k, s, pad)];
      if (ho < 1 || wo < 1) throw new Error(`conv2d kernel ${k} does not fit input ${h}×${w} with padding ${pad}`);
      return {
        params: weightAndBias(key, [k, k, cin, channels], precision, opts),
        state: none(),
        outputShape: [ho, wo, channels],
      };
    },
    apply(params, state, x) {
      const p = params as { weight: np.Array; bias?: np.Array };
      const [n, h, w, cin] = x.shape;
      const [ho, wo] = [outSize(h, k, s, pad), outSize(w, k, s, pad)];
      // Pad enough that every strided window slice [i, i + ho·s) is in range.
      const padH = Math.max(pad, k - 1 + ho * s - h - pad);
      const padW = Math.max(pad, k - 1 + wo * s - w - pad);
      const xp =
        pad === 0 && padH === 0 && padW === 0
          ? x
          : np.pad(x, [
              [0, 0],
              [pad, padH],
              [pad, padW],
              [0, 0],
            ]);
      const kk = k * k * cin;
      const patches = im2colPatches(xp, k, s, ho, wo);
      const y = np.matmul(patches.reshape([n * ho * wo, kk]), p.weight.reshape([kk, -1]));
      const out = y.reshape([n, ho, wo, -1]);
      return [p.bias ? out.add(p.bias) : out, state];
    },
  };
}

/**
 * The im2col patches [n, ho, wo, k·k·cin] of a padded NHWC input `xp` (consumed): channels [t·cin, (t + 1)·cin)
 * hold window t = i·k + j (stride `s`), so patch column (i·k + j)·cin + c meets weight[i, j, c] in the
 * weight's row-major reshape. A sum of channel-padded windows rather than np.concatenate: jax-js splits a
 * concatenation into groups of 8 (two kernels), and the transpose of its split materialises every slice.
 */
export function im2colPatches(xp: np.Array, k: number, s: number, ho: number, wo: number): np.Array {
  const [n, , , cin] = xp.shape;
  const kk = k * k * cin;
  const terms: np.Array[] = [];
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let window = xp.ref.slice([], [i, i + ho * s], [j, j + wo * s], []);
      if (s > 1) window = window.reshape([n, ho, s, wo, s, cin]).slice([], [], 0, [], 0, []);
      const t = i * k + j;
      terms.push(
        k === 1
          ? window
          : np.pad(window, [
              [0, 0],
              [0, 0],
              [0, 0],
              [t * cin, kk - (t + 1) * cin],
            ]),
      );
    }
  }
  xp.dispose();
  return terms.reduce((acc, term) => acc.add(term));
}
