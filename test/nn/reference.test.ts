/**
 * Forward passes against plain-JS reference implementations (test/nn/helpers.ts), float64 on
 * `cpu`: catches forward bugs (wrong padding, stride, piece layout, statistics axes) that a
 * gradient check cannot, since it only checks that the gradient matches the function computed.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { disposeTree, startEngine, type Tree } from "../../src/engine/index.js";
import {
  batchNorm,
  conv2d,
  flatten,
  lastStep,
  linear,
  maxout,
  maxPool2d,
  relu,
  reshape,
  residual,
  rnn,
  sequential,
  sigmoid,
  softplus,
  tanh,
  type ApplyContext,
  type Layer,
} from "../../src/nn/index.js";
import {
  assertClose,
  batchNormRef,
  conv2dRef,
  dev,
  F64,
  forward,
  hostTree,
  initWith,
  linearRef,
  maxoutRef,
  maxPoolRef,
  randn,
  rnnRef,
  sizeOf,
  type Host,
} from "./helpers.js";

before(async () => {
  await startEngine();
});

const TOL = 1e-12;

interface Run {
  x: Host;
  p: Map<string, Host>;
  y: Host;
  state: Map<string, Host>;
  outputShape: number[];
}

function run(
  layer: Layer,
  inputShape: number[],
  o: {
    batch?: number;
    seed?: number;
    params?: Record<string, Float64Array>;
    state?: Record<string, Float64Array>;
    ctx?: ApplyContext;
    x?: Host;
  } = {},
): Run {
  const seed = o.seed ?? 1;
  const init = initWith(layer, inputShape, { params: o.params, state: o.state, seed });
  const xh = o.x ?? randn(seed + 1000, [o.batch ?? 3, ...inputShape]);
  const x = dev(xh);
  const p = hostTree(init.params);
  const out = forward(layer, init.params, init.state, x, o.ctx ?? { train: false });
  disposeTree([init.params, init.state, x] as Tree);
  assert.deepEqual(out.y.shape, [xh.shape[0], ...init.outputShape], "output shape matches init's outputShape");
  return { x: xh, p, y: out.y, state: out.state, outputShape: init.outputShape };
}

const bias = (seed: number, n: number) => randn(seed, [n]).data;

describe("forward passes match plain-JS references (float64)", () => {
  test("linear, with and without bias, over [batch, features] and [batch, time, features]", () => {
    const a = run(linear(3), [4], { params: { bias: bias(5, 3) } });
    assertClose(a.y, linearRef(a.x, a.p.get("weight")!, a.p.get("bias")!.data), TOL, "linear");
    const b = run(linear(2, { bias: false }), [3, 4]);
    assert.equal(b.p.has("bias"), false);
    assertClose(b.y, linearRef(b.x, b.p.get("weight")!, null), TOL, "linear over time");
  });

  test("linear's bias option sets the initial bias (0.1 for ReLU hidden units)", () => {
    const r = run(linear(4, { bias: 0.1 }), [3]);
    assert.deepEqual(Array.from(r.p.get("bias")!.data), [0.1, 0.1, 0.1, 0.1]);
    const z = run(linear(4), [3]);
    assert.deepEqual(Array.from(z.p.get("bias")!.data), [0, 0, 0, 0]);
  });

  const convCases: {
    kernel: number;
    stride?: number;
    padding?: number | "same";
    pad: number;
    input: number[];
    channels: number;
  }[] = [
    { kernel: 3, stride: 1, padding: 1, pad: 1, input: [5, 5, 2], channels: 3 },
    { kernel: 3, stride: 2, padding: 0, pad: 0, input: [5, 5, 2], channels: 3 },
    { kernel: 5, padding: "same", pad: 2, input: [5, 5, 2], channels: 2 },
    { kernel: 3, stride: 2, padding: 1, pad: 1, input: [6, 6, 2], channels: 2 },
    { kernel: 2, stride: 2, padding: 0, pad: 0, input: [5, 4, 3], channels: 2 },
    { kernel: 3, stride: 3, padding: 1, pad: 1, input: [7, 5, 1], channels: 4 },
  ];
  for (const c of convCases) {
    test(`conv2d ${c.kernel}×${c.kernel}, stride ${c.stride ?? 1}, padding ${c.padding} on [${c.input}]`, () => {
      const r = run(conv2d(c.channels, { kernel: c.kernel, stride: c.stride, padding: c.padding }), c.input, {
        batch: 2,
        params: { bias: bias(7, c.channels) },
      });
      assertClose(r.y, conv2dRef(r.x, r.p.get("weight")!, r.p.get("bias")!.data, c.stride ?? 1, c.pad), TOL, "conv2d");
    });
  }
  test("shape errors are reported at init", () => {
    assert.throws(() => conv2d(2, { kernel: 2, padding: "same" }), /needs an odd kernel/);
    assert.throws(() => conv2d(2, { kernel: 5 }).init([0, 0], [3, 3, 1], F64), /does not fit/);
    assert.throws(() => maxPool2d(3).init([0, 0], [2, 5, 1], F64), /does not fit/);
    assert.throws(() => maxPool2d(2).init([0, 0], [4, 4], F64), /\[height, width, channels\]/);
  });
  test('conv2d padding "same" keeps the spatial size for odd kernels', () => {
    for (const k of [1, 3, 5]) {
      const init = conv2d(2, { kernel: k, padding: "same" }).init([0, 0], [6, 5, 1], F64);
      assert.deepEqual(init.outputShape, [6, 5, 2]);
      disposeTree(init.params);
    }
  });

  for (const [size, input] of [
    [2, [4, 4, 3]],
    [2, [5, 5, 2]],
    [3, [6, 7, 1]],
  ] as const) {
    test(`maxPool2d ${size}×${size} on [${input}]`, () => {
      const r = run(maxPool2d(size), [...input], { batch: 2 });
      assertClose(r.y, maxPoolRef(r.x, size), 0, "maxPool2d");
    });
  }

  test("rnn over 4 steps returns every state", () => {
    const r = run(rnn(3), [4, 2], { params: { bias: bias(9, 3) } });
    assertClose(
      r.y,
      rnnRef(r.x, r.p.get("inputWeight")!, r.p.get("recurrentWeight")!, r.p.get("bias")!.data),
      TOL,
      "rnn",
    );
  });

  test("maxout: unit k is the max over columns k·pieces .. k·pieces + pieces − 1", () => {
    const r = run(maxout(3, 4), [5], { batch: 4, params: { bias: bias(11, 12) } });
    assertClose(r.y, maxoutRef(r.x, r.p.get("weight")!, r.p.get("bias")!.data, 3, 4), TOL, "maxout");
  });

  test("batchNorm, training mode: batch statistics per unit, and per channel for NHWC", () => {
    for (const input of [[4], [3, 3, 2]]) {
      const units = input[input.length - 1];
      const params = { gamma: randn(13, [units], 0.3, 1).data, beta: bias(14, units) };
      const r = run(batchNorm(), input, { batch: 3, params, ctx: { train: true } });
      assertClose(r.y, batchNormRef(r.x, params.gamma, params.beta, 1e-5), TOL, `batchNorm [${input}]`);
    }
  });

  test("batchNorm, eval mode: running statistics", () => {
    for (const input of [[4], [2, 3, 3]]) {
      const units = input[input.length - 1];
      const params = { gamma: randn(15, [units], 0.3, 1).data, beta: bias(16, units) };
      const state = { mean: bias(17, units), variance: randn(18, [units]).data.map((v) => 0.2 + v * v) };
      const r = run(batchNorm({ delta: 1e-3 }), input, { batch: 2, params, state, ctx: { train: false } });
      assertClose(r.y, batchNormRef(r.x, params.gamma, params.beta, 1e-3, state), TOL, `batchNorm eval [${input}]`);
    }
  });

  test("activations", () => {
    const cases: [Layer, (v: number) => number][] = [
      [relu(), (v) => Math.max(0, v)],
      [tanh(), Math.tanh],
      [sigmoid(), (v) => 1 / (1 + Math.exp(-v))],
      [softplus(), (v) => Math.log1p(Math.exp(v))],
    ];
    for (const [layer, f] of cases) {
      const r = run(layer, [7], { x: randn(19, [3, 7], 3) });
      assertClose(r.y.data, r.x.data.map(f), TOL, layer.kind);
    }
  });

  test("flatten, reshape and lastStep keep row-major order", () => {
    const f = run(flatten(), [2, 3, 2]);
    assert.deepEqual(f.y.shape, [3, 12]);
    assertClose(f.y.data, f.x.data, 0, "flatten");
    const r = run(reshape([3, 4]), [12]);
    assertClose(r.y.data, r.x.data, 0, "reshape");
    const l = run(lastStep(), [4, 2]);
    const expected = new Float64Array(6);
    for (let e = 0; e < 3; e++) for (let k = 0; k < 2; k++) expected[e * 2 + k] = l.x.data[(e * 4 + 3) * 2 + k];
    assertClose(l.y.data, expected, 0, "lastStep");
  });

  test("residual and sequential compose", () => {
    const r = run(residual(sequential(linear(4), tanh())), [4], { params: { "0.bias": bias(21, 4) } });
    const inner = linearRef(r.x, r.p.get("0.weight")!, r.p.get("0.bias")!.data).data.map(Math.tanh);
    assertClose(
      r.y.data,
      inner.map((v, i) => v + r.x.data[i]),
      TOL,
      "residual",
    );
    assert.equal(sizeOf(r.y.shape), 12);
  });
});
