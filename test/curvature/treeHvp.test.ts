import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { hessian, numpy as np } from "@jax-js/jax";
import {
  disposeTree,
  leavesWithPaths,
  mapWithPaths,
  precisionOf,
  random,
  startEngine,
  toDevice,
  type Tree,
} from "../../src/engine/index.js";
import { mlp } from "../../src/nn/index.js";
import { flattenTree, unflattenTree } from "../../src/engine/index.js";
import { modelLoss, treeLossHessian, type WeightedBatch } from "../../src/curvature/index.js";
import { F64, normRelError } from "./helpers.js";

// A small tanh network (smooth, so finite differences are clean): 3 → 4 → 4 → 3, 51 parameters.
const model = mlp(3, { width: 4, depth: 2, activation: "tanh" });
const loss = modelLoss(model, true);
const rows = 6;

function setup(precision = F64) {
  const init = model.init(random.randomKey(11), [3], precision);
  const x = toDevice(random.normal(random.randomKey(12), rows * 3), [rows, 3], precision);
  const labels = [0, 2, 1, 1, 0, 2];
  const y = toDevice(
    labels.flatMap((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0))),
    [rows, 3],
    precision,
  );
  return { params: init.params, state: init.state, x, y };
}

/** The loss as a function of one flat vector θ (slices of θ reshaped into the tree), for jax-js's dense `hessian`. */
function flatLoss(template: Tree, state: Tree, x: np.Array, y: np.Array) {
  return (theta: np.Array) => {
    let offset = 0;
    const params = mapWithPaths(template, (_p, leaf) => {
      const part = theta.ref.slice([offset, offset + leaf.size]).reshape(leaf.shape);
      offset += leaf.size;
      return part;
    });
    theta.dispose();
    return loss(params, state, x.ref, y.ref);
  };
}

const refCounts = (t: Tree) => leavesWithPaths(t).map((l) => l.leaf.refCount);

describe("Hessian-vector products of a pytree loss (float64)", () => {
  before(() => startEngine());

  it("agree with the dense Hessian times v and with central differences of the gradient (both AD orders)", () => {
    const { params, state, x, y } = setup();
    const batch: WeightedBatch[] = [{ data: [state, x, y], weight: 1 }];
    const theta = flattenTree(params);
    const n = theta.length;
    assert.equal(n, 51);
    const v = random.normal(random.randomKey(13), n);

    const H = Float64Array.from(
      hessian(flatLoss(params, state, x, y))(toDevice(theta, [n], F64)).dataSync() as ArrayLike<number>,
    );
    const Hv = Float64Array.from({ length: n }, (_, i) => v.reduce((s, vj, j) => s + H[i * n + j] * vj, 0));

    const before = [refCounts(params), refCounts(state), x.refCount, y.refCount];
    const fo = treeLossHessian(loss, params, batch, F64, { mode: "forward-over-reverse" });
    const ro = treeLossHessian(loss, params, batch, F64, { mode: "reverse-over-forward" });
    const hvFo = fo.apply(v);
    const hvRo = ro.apply(v);
    assert.ok(normRelError(hvFo, Hv) < 1e-12, `forward-over-reverse vs H·v: ${normRelError(hvFo, Hv)}`);
    assert.ok(normRelError(hvRo, Hv) < 1e-12, `reverse-over-forward vs H·v: ${normRelError(hvRo, Hv)}`);

    // (∇f(θ + hv) − ∇f(θ − hv)) / 2h: truncation ~h², round-off ~ε/h.
    const h = 1e-5;
    const gradAt = (sign: number) => {
      const moved = unflattenTree(
        params,
        theta.map((t, i) => t + sign * h * v[i]),
        F64,
      );
      const op = treeLossHessian(loss, moved, batch, F64);
      const [, g] = op.valueAndGradient();
      op.dispose();
      disposeTree(moved);
      return g;
    };
    const [gp, gm] = [gradAt(1), gradAt(-1)];
    const fd = gp.map((g, i) => (g - gm[i]) / (2 * h));
    const fdError = normRelError(hvFo, fd);
    assert.ok(fdError < 1e-7, `Hv vs finite differences: ${fdError}`);
    console.log(
      `tree HVP (float64): vs dense H·v ${normRelError(hvFo, Hv).toExponential(2)}, vs central differences ` +
        `${fdError.toExponential(2)}`,
    );

    fo.dispose();
    ro.dispose();
    assert.deepEqual(
      [refCounts(params), refCounts(state), x.refCount, y.refCount],
      before,
      "the operators consumed or kept an input",
    );
    disposeTree([params, state, x, y]);
  });

  it("the Hessian over the full data is the weighted mean of the minibatch Hessians", () => {
    const { params, state, x, y } = setup();
    const v = random.normal(random.randomKey(14), 51);
    const whole = treeLossHessian(loss, params, [{ data: [state, x, y], weight: 1 }], F64);
    const halves: WeightedBatch[] = [0, 3].map((start) => ({
      data: [state, x.ref.slice([start, start + 3]), y.ref.slice([start, start + 3])],
      weight: 0.5,
    }));
    const split = treeLossHessian(loss, params, halves, F64);
    assert.ok(normRelError(split.apply(v), whole.apply(v)) < 1e-13);
    const [fw, gw] = whole.valueAndGradient();
    const [fs, gs] = split.valueAndGradient();
    assert.ok(Math.abs(fw - fs) < 1e-14 * Math.abs(fw) && normRelError(gs, gw) < 1e-13);
    whole.dispose();
    split.dispose();
    for (const b of halves) disposeTree(b.data.slice(1));
    disposeTree([params, state, x, y]);
  });

  it("float32 compiled (reverse-over-forward) agrees with the float64 reference to float32 accuracy", () => {
    const f32 = precisionOf("float32");
    const [a, b] = [setup(), setup(f32)];
    const v = random.normal(random.randomKey(15), 51);
    const ref = treeLossHessian(loss, a.params, [{ data: [a.state, a.x, a.y], weight: 1 }], F64);
    const fast = treeLossHessian(loss, b.params, [{ data: [b.state, b.x, b.y], weight: 1 }], f32);
    const fastFo = treeLossHessian(loss, b.params, [{ data: [b.state, b.x, b.y], weight: 1 }], f32, {
      mode: "forward-over-reverse",
    });
    const exact = ref.apply(v);
    assert.ok(normRelError(fast.apply(v), exact) < 1e-5, `${normRelError(fast.apply(v), exact)}`);
    assert.ok(normRelError(fastFo.apply(v), exact) < 1e-5, `${normRelError(fastFo.apply(v), exact)}`);
    for (const op of [ref, fast, fastFo]) op.dispose();
    disposeTree([a.params, a.state, a.x, a.y, b.params, b.state, b.x, b.y]);
  });
});
