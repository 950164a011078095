/**
 * Every layer passes a float64 finite-difference gradient check on the exact `cpu` device:
 * grad of loss = Σ apply(params, x) ⊙ w (w fixed, random) w.r.t. params and x together, against
 * central differences (src/nn/gradcheck.ts). Criterion, elementwise: for every checked coordinate
 * and every random direction, |a − n| / max(|a|, |n|, 1e-4 · the largest such max) <= 1e-6
 * (a: jax-js grad, n: fourth-order central difference; also ‖a − n‖ / ‖a + n‖ <= 1e-6).
 * The harness also checks that apply consumes params, state and x exactly once.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { disposeTree, startEngine, random, toDevice } from "../../src/engine/index.js";
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
  checkGradients,
} from "../../src/nn/index.js";
import { lax, numpy as np } from "@jax-js/jax";
import {
  describeResult,
  gradCheckLayer,
  hostTree,
  initWith,
  linearRef,
  randn,
  sizeOf,
  F64,
  type LayerCheck,
} from "./helpers.js";

const TOLERANCE = 1e-6;

before(async () => {
  await startEngine();
});

function passes(t: { diagnostic(msg: string): void }, c: LayerCheck): void {
  const r = gradCheckLayer(c);
  t.diagnostic(describeResult(r));
  assert.ok(r.maxRelError <= TOLERANCE, describeResult(r));
  assert.ok(r.normRelError <= TOLERANCE, describeResult(r));
}

/** Inputs for max-pooling: a random permutation of values 0.1 apart, so no window has near-ties. */
function spaced(seed: number, shape: number[]): Float64Array {
  const n = sizeOf(shape);
  return Float64Array.from(random.permutation(random.randomKey(seed), n), (p) => 0.1 * (p - n / 2));
}

/** Normal inputs pushed at least 0.5 away from 0 (ReLU's kink). */
function awayFromZero(seed: number, n: number): Float64Array {
  return randn(seed, [n]).data.map((v) => Math.sign(v) * (0.5 + Math.abs(v)));
}

describe("checkGradients", () => {
  test("agrees with a known gradient and flags a wrong one", (t) => {
    // f(a, b) = Σ a² b, ∂/∂a = 2ab, ∂/∂b = a².
    const args = { a: toDevice([0.3, -1.2, 2], [3], F64), b: toDevice([1.5, 0.7, -0.4], [3], F64) };
    const good = checkGradients((p: typeof args) => p.a.ref.mul(p.a).mul(p.b).sum(), args);
    t.diagnostic(describeResult(good));
    assert.ok(good.maxRelError < 1e-9);
    assert.equal(good.entries.length, 3 + 3 + 2);
    // A stop-gradient hides b's influence from grad; the differences still see it.
    const bad = checkGradients((p: typeof args) => p.a.ref.mul(p.a).mul(lax.stopGradient(p.b)).sum(), args);
    assert.ok(bad.maxRelError > 0.5, describeResult(bad));
    assert.equal(bad.worst.path === "b" || bad.worst.path === "direction", true);
    // A gradient wrong by a relative 1e-5 (a term hidden from grad) is caught at the 1e-6 criterion.
    const slightly = checkGradients(
      (p: typeof args) =>
        p.a.ref
          .mul(p.b)
          .sum()
          .add(np.square(lax.stopGradient(p.a)).sum().mul(1e-5)),
      args,
    );
    assert.ok(slightly.maxRelError > 1e-6, describeResult(slightly));
    assert.ok(args.a.refCount === 1 && args.b.refCount === 1, "args are borrowed");
    args.a.dispose();
    args.b.dispose();
  });
});

describe("gradient check (float64, cpu)", () => {
  test("linear", (t) => passes(t, { layer: linear(3), inputShape: [4] }));
  test("linear over the last axis of [time, features], no bias", (t) =>
    passes(t, { layer: linear(3, { bias: false }), inputShape: [2, 4] }));

  // Conv is linear in the weight and in x separately, so a second-order difference with a large
  // step is exact up to round-off; coordinates are subsampled (the cpu device is slow) and the
  // random directions cover all of them.
  const convCheck = { order: 2 as const, step: 1e-3, maxPerLeaf: 10 };
  test("conv2d 3×3, stride 1, padding 1", (t) =>
    passes(t, { layer: conv2d(3, { kernel: 3, padding: 1 }), inputShape: [5, 5, 2], batch: 2, check: convCheck }));
  test("conv2d 3×3, stride 2, padding 0", (t) =>
    passes(t, { layer: conv2d(3, { kernel: 3, stride: 2 }), inputShape: [5, 5, 2], batch: 2, check: convCheck }));
  test('conv2d 5×5, padding "same"', (t) =>
    passes(t, {
      layer: conv2d(2, { kernel: 5, padding: "same" }),
      inputShape: [5, 5, 2],
      batch: 2,
      check: { ...convCheck, maxPerLeaf: 6 },
    }));

  test("maxPool2d 2×2 (5×5 input: the last row and column are dropped)", (t) =>
    passes(t, {
      layer: maxPool2d(2),
      inputShape: [5, 5, 2],
      batch: 2,
      x: spaced(3, [2, 5, 5, 2]),
      check: { maxPerLeaf: 30 },
    }));
  test("maxPool2d 3×3 (7×8 input: one row and two columns are dropped)", (t) =>
    passes(t, {
      layer: maxPool2d(3),
      inputShape: [7, 8, 2],
      batch: 2,
      x: spaced(4, [2, 7, 8, 2]),
      check: { maxPerLeaf: 30 },
    }));
  test("flatten", (t) => passes(t, { layer: flatten(), inputShape: [2, 2, 3] }));
  test("reshape", (t) => passes(t, { layer: reshape([3, 4]), inputShape: [2, 6] }));
  test("rnn, 4 steps", (t) => passes(t, { layer: rnn(3), inputShape: [4, 3], check: { maxPerLeaf: 6 } }));
  test("lastStep", (t) => passes(t, { layer: lastStep(), inputShape: [4, 3] }));
  test("maxout, 3 units × 3 pieces", (t) => {
    // Precondition: no near-ties between a unit's two largest pieces (the differences move them by ~1e-4).
    const layer = maxout(3, 3);
    const init = initWith(layer, [4], { seed: 5 });
    const p = hostTree(init.params);
    const z = linearRef(randn(5 + 1000, [3, 4]), p.get("weight")!, p.get("bias")!.data).data;
    for (let u = 0; u < z.length; u += 3) {
      const [first, second] = Array.from(z.subarray(u, u + 3)).sort((a, b) => b - a);
      assert.ok(first - second > 1e-2, `pieces ${u / 3} nearly tie: ${first} vs ${second}`);
    }
    disposeTree([init.params, init.state]);
    passes(t, { layer, inputShape: [4], seed: 5 });
  });

  test("relu (inputs away from the kink)", (t) =>
    passes(t, { layer: relu(), inputShape: [5], x: awayFromZero(7, 15) }));
  test("tanh", (t) => passes(t, { layer: tanh(), inputShape: [5] }));
  test("sigmoid", (t) => passes(t, { layer: sigmoid(), inputShape: [5] }));
  test("softplus", (t) => passes(t, { layer: softplus(), inputShape: [5] }));

  test("residual(linear → tanh → linear)", (t) =>
    passes(t, { layer: residual(sequential(linear(4), tanh(), linear(4))), inputShape: [4] }));
  test("sequential MLP: flatten → linear → batchNorm (train) → softplus → linear", (t) =>
    passes(t, {
      layer: sequential(flatten(), linear(5), batchNorm(), softplus(), linear(3)),
      inputShape: [2, 3],
      batch: 4,
      check: { maxPerLeaf: 8 },
    }));
  test("sequential CNN: conv → relu → maxPool → flatten → linear", (t) =>
    passes(t, {
      layer: sequential(conv2d(2, { kernel: 3, padding: 1, bias: 0.1 }), relu(), maxPool2d(2), flatten(), linear(3)),
      inputShape: [4, 4, 2],
      batch: 2,
      check: { maxPerLeaf: 6 },
    }));
  test("sequential RNN classifier: reshape → rnn → lastStep → linear", (t) =>
    passes(t, {
      layer: sequential(reshape([4, 3]), rnn(3), lastStep(), linear(2)),
      inputShape: [12],
      check: { maxPerLeaf: 5 },
    }));

  const bnParams = (units: number, seed: number) => ({
    gamma: randn(seed, [units], 0.3, 1).data,
    beta: randn(seed + 1, [units]).data,
  });
  test("batchNorm, training mode, [batch, features] (through μ and σ)", (t) =>
    passes(t, { layer: batchNorm(), inputShape: [4], batch: 5, params: bnParams(4, 11), ctx: { train: true } }));
  test("batchNorm, training mode, NHWC conv features (per channel)", (t) =>
    passes(t, { layer: batchNorm(), inputShape: [3, 3, 2], batch: 2, params: bnParams(2, 13), ctx: { train: true } }));
  test("batchNorm, eval mode (running statistics)", (t) =>
    passes(t, {
      layer: batchNorm(),
      inputShape: [4],
      params: bnParams(4, 17),
      state: { mean: randn(19, [4]).data, variance: randn(20, [4]).data.map((v) => 0.5 + v * v) },
      ctx: { train: false },
    }));
  test("batchNorm, eval mode, NHWC", (t) =>
    passes(t, {
      layer: batchNorm(),
      inputShape: [2, 2, 3],
      batch: 2,
      params: bnParams(3, 23),
      state: { mean: randn(25, [3]).data, variance: randn(26, [3]).data.map((v) => 0.5 + v * v) },
      ctx: { train: false },
    }));
});
