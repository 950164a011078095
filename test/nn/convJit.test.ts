/**
 * The im2col convolution under jit on Wasm (GEMM and view-sum kernels, float64) gives the values and
 * gradients of the exact `cpu` device run eagerly (whose gradients gradcheck.test.ts checks against
 * finite differences): jit is where jax-js 0.1.25 mishandles pads of constants (docs/engine.md), and
 * the Wasm path is where the hooks act. Also: it equals the sum of k·k shifted products (the former
 * lowering) to float64 rounding.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { grad, jit, numpy as np } from "@jax-js/jax";
import {
  disposeTree,
  gemmStatus,
  leavesWithPaths,
  precisionOf,
  refTree,
  startEngine,
  toDevice,
  type Tree,
} from "../../src/engine/index.js";
import { conv2d, type Conv2dOptions } from "../../src/nn/index.js";
import { assertClose, hostTree, randn, type Host } from "./helpers.js";

const CPU = precisionOf("float64");
const WASM = precisionOf("float64-fast");
const TOL = 1e-12;

before(async () => {
  await startEngine();
});

interface Case {
  opts: Conv2dOptions;
  input: [number, number, number];
  channels: number;
}
const cases: Case[] = [
  { opts: { kernel: 3, padding: 1 }, input: [16, 15, 1], channels: 4 },
  { opts: { kernel: 3, padding: 1, bias: 0.1 }, input: [12, 11, 6], channels: 3 },
  { opts: { kernel: 3, stride: 2 }, input: [15, 13, 4], channels: 3 },
  { opts: { kernel: 5, padding: "same" }, input: [10, 11, 3], channels: 2 },
  { opts: { kernel: 2, stride: 2, padding: 1 }, input: [13, 12, 4], channels: 3 },
  { opts: { kernel: 1 }, input: [12, 11, 8], channels: 3 },
  { opts: { kernel: 4, stride: 3, padding: 2 }, input: [17, 16, 4], channels: 2 },
];

const onDevice = (tree: Map<string, Host>, precision: typeof CPU) =>
  Object.fromEntries([...tree].map(([path, h]) => [path.replace("params.", ""), toDevice(h.data, h.shape, precision)]));

/** y, and the gradient of Σ y ⊙ w with respect to the weight, the bias and x, as host arrays. */
function run(c: Case, precision: typeof CPU, compiled: boolean) {
  const layer = conv2d(c.channels, c.opts);
  const init = layer.init([0, 1], c.input, CPU);
  const params = onDevice(hostTree({ params: init.params }), precision);
  disposeTree(init.params);
  const xHost = randn(11, [2, ...c.input]);
  const x = toDevice(xHost.data, xHost.shape, precision);
  const yShape = [2, ...init.outputShape];
  const wHost = randn(12, yShape);
  const w = toDevice(wHost.data, wHost.shape, precision);
  const forward = (args: { params: Tree; x: np.Array }) => layer.apply(args.params, {}, args.x, { train: true })[0];
  const loss = (args: { params: Tree; x: np.Array }) => forward(args).mul(w.ref).sum();
  const f = compiled ? jit(forward) : forward;
  const g = compiled ? jit(grad(loss)) : grad(loss);
  const y = hostTree({ y: f({ params: refTree(params), x: x.ref }) as np.Array });
  const grads = hostTree(g({ params, x }) as Tree);
  if (compiled) for (const h of [f, g]) (h as unknown as { dispose(): void }).dispose();
  w.dispose();
  return { y: y.get("y")!, grads };
}

describe("conv2d under jit on Wasm float64 equals the eager cpu device", () => {
  for (const c of cases) {
    test(`${JSON.stringify(c.opts)} on [${c.input}] → ${c.channels} channels`, () => {
      const want = run(c, CPU, false);
      const before = gemmStatus().viewSumKernels;
      const got = run(c, WASM, true);
      // Strided windows are a reshape of a padded view, which jax-js keeps as two views: its own kernels.
      if ((c.opts.stride ?? 1) === 1) assert.ok(gemmStatus().viewSumKernels > before, "no view-sum kernel ran");
      assertClose(got.y, want.y, TOL, "y");
      for (const [path, h] of want.grads) assertClose(got.grads.get(path)!, h, TOL, path);
    });
  }
});

/** The former lowering: Σ over (i, j) of the shifted (strided) window times weight[i, j]. */
function shiftedProducts(x: np.Array, weight: np.Array, k: number, s: number, pad: number): np.Array {
  const [n, h, w, cin] = x.shape;
  const [ho, wo] = [Math.floor((h + 2 * pad - k) / s) + 1, Math.floor((w + 2 * pad - k) / s) + 1];
  const xp = np.pad(x, [
    [0, 0],
    [pad, pad + s],
    [pad, pad + s],
    [0, 0],
  ]);
  let y: np.Array | undefined;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let window = xp.ref.slice([], [i, i + ho * s], [j, j + wo * s], []);
      if (s > 1) window = window.reshape([n, ho, s, wo, s, cin]).slice([], [], 0, [], 0, []);
      const term = np.matmul(window.reshape([n * ho * wo, cin]), weight.ref.slice(i, j));
      y = y ? y.add(term) : term;
    }
  }
  xp.dispose();
  weight.dispose();
  return y!.reshape([n, ho, wo, -1]);
}

test("conv2d equals the sum of k·k shifted products to float64 rounding", () => {
  for (const [k, s, pad] of [
    [3, 1, 1],
    [3, 2, 0],
    [5, 1, 2],
    [2, 2, 1],
  ]) {
    const layer = conv2d(3, { kernel: k, stride: s, padding: pad, bias: 0 });
    const init = layer.init([0, 2], [8, 7, 4], CPU);
    const xHost = randn(5, [2, 8, 7, 4]);
    const x = toDevice(xHost.data, xHost.shape, CPU);
    const [weight] = leavesWithPaths(init.params)
      .filter(({ path }) => path.endsWith("weight"))
      .map(({ leaf }) => leaf);
    const want = hostTree({ y: shiftedProducts(x.ref, weight.ref, k, s, pad) }).get("y")!;
    const got = hostTree({ y: layer.apply(init.params, {}, x, { train: true })[0] }).get("y")!;
    assertClose(got, want, 1e-14, `k ${k} s ${s} pad ${pad}`);
  }
});
