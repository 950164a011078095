import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { tree as jaxTree } from "@jax-js/jax";
import { startEngine, type Tree } from "../../src/engine/index.js";
import {
  addDecayedWeights,
  applyUpdates,
  book,
  chain,
  clipByGlobalNorm,
  clipByValue,
  composeOptimizer,
  masked,
  polyakAveraging,
  scale,
  skipNonFiniteUpdates,
  weightDecayMask,
  type GradientTransformation,
} from "../../src/optim/index.js";
import { close, hostLeaves, runUpdates, vec } from "./helpers.js";

/** Every way Descent wraps or combines a transformation; each must keep the inner one's queries. */
const WRAPPERS: Record<string, (t: GradientTransformation) => GradientTransformation> = {
  "chain (alone)": (t) => chain(t),
  "chain (with neighbours)": (t) => chain(clipByValue(100), t, scale(1)),
  polyakAveraging: (t) => polyakAveraging(t, { kind: "uniform" }),
  skipNonFiniteUpdates: (t) => skipNonFiniteUpdates(t),
  "masked (every leaf)": (t) => masked(t, () => true),
  "masked (a tree of booleans)": (t) => masked(t, { w: true, bias: true }),
  "nested: guard ∘ average ∘ chain": (t) =>
    skipNonFiniteUpdates(polyakAveraging(chain(t), { kind: "exponential", alpha: 0.5 })),
};

const theta0 = (): Tree => ({ w: vec(1, -2), bias: vec(0.5) });
const grads = (): Tree[] => [
  { w: vec(1, 2), bias: vec(-1) },
  { w: vec(0.5, -1), bias: vec(2) },
];

/** The point where the next gradient must be taken, after two updates. */
function interimPoint(opt: GradientTransformation): number[][] {
  assert.ok(opt.evaluationPoint, "the interim point was dropped");
  const { state, params } = runUpdates(opt, theta0(), grads());
  const point = opt.evaluationPoint(jaxTree.ref(params), jaxTree.ref(state));
  const out = hostLeaves(point);
  jaxTree.dispose([point, state, params]);
  return out;
}

describe("wrappers forward the optional queries by construction", () => {
  before(() => startEngine());

  it("no wrapper or combinator drops Nesterov's interim point θ + αv (Alg. 8.3)", () => {
    const expected = interimPoint(book.nesterov(0.1, 0.9));
    assert.notDeepEqual(expected, hostLeaves(theta0()), "the interim point differs from θ after two steps");
    for (const [name, wrap] of Object.entries(WRAPPERS)) {
      const got = interimPoint(wrap(book.nesterov(0.1, 0.9)));
      got.forEach((leaf, i) => close(leaf, expected[i], 1e-15, name));
    }
    close(
      interimPoint(
        composeOptimizer({
          name: "book.nesterov",
          hyperparameters: { alpha: 0.9 },
          lr: 0.1,
          clipNorm: 100,
          average: "uniform",
          skipNonFinite: true,
        }),
      ).flat(),
      expected.flat(),
      1e-15,
      "composeOptimizer",
    );
  });

  it("the average and the skip count come through every wrapper too", () => {
    for (const [name, wrap] of Object.entries(WRAPPERS)) {
      if (name.startsWith("masked")) continue; // masks refuse an averaging inner (checked below)
      const averaged = wrap(polyakAveraging(book.sgd(0.1), { kind: "uniform" }));
      assert.ok(averaged.averagedParams, `${name} dropped averagedParams`);
      const guarded = wrap(skipNonFiniteUpdates(book.sgd(0.1)));
      assert.ok(guarded.skippedUpdates, `${name} dropped skippedUpdates`);
      const { state, params } = runUpdates(guarded, theta0(), [{ w: vec(NaN, 1), bias: vec(1) }, ...grads()]);
      assert.equal(guarded.skippedUpdates(state).item(), 1, name);
      jaxTree.dispose([state, params]);
    }
    assert.ok(masked(skipNonFiniteUpdates(book.sgd(0.1)), () => true).skippedUpdates);
    assert.throws(
      () => masked(polyakAveraging(book.sgd(0.1), { kind: "uniform" }), weightDecayMask),
      /cannot be wrapped over part of the parameters/,
    );
  });
});

describe("masked (per-parameter options, Optax's masked / torch param groups)", () => {
  before(() => startEngine());

  it("applies the inner transformation to the selected leaves and passes the others through", () => {
    const decay = masked(addDecayedWeights(0.5), weightDecayMask);
    const { thetas } = runUpdates(decay, { w: vec(1, 2), bias: vec(3) }, [{ w: vec(0, 0), bias: vec(7) }]);
    // Updates are added to θ: w gets +0.5w, the bias gets its gradient unchanged.
    assert.deepEqual(thetas[0], [[1.5, 3], [10]]);
    const byTree = masked(addDecayedWeights(0.5), { w: false, bias: true });
    assert.deepEqual(runUpdates(byTree, { w: vec(1, 2), bias: vec(3) }, [{ w: vec(0, 0), bias: vec(0) }]).thetas[0], [
      [1, 2],
      [4.5],
    ]);
  });

  it("selects by path: biases and batch-norm γ/β are not decayed by default", () => {
    for (const path of ["0.weight", "layers.2.weight", "rnn.recurrentWeight", "inputWeight"])
      assert.ok(weightDecayMask(path), path);
    for (const path of ["0.bias", "layers.1.gamma", "layers.1.beta", "bias"]) assert.ok(!weightDecayMask(path), path);
  });

  it("clips, scales and moves only the selected leaves (clip norm, lr scale, Nesterov's point)", () => {
    const clip = masked(clipByGlobalNorm(1), (p) => p === "w");
    const [u] = clip.update({ w: vec(3, 4), bias: vec(10) }, clip.init(theta0()), theta0());
    close(hostLeaves(u).flat(), [0.6, 0.8, 10], 1e-15, "only w is clipped");
    jaxTree.dispose(u);
    const slower = chain(
      book.sgd(1),
      masked(scale(0.1), (p) => p === "bias"),
    );
    const { thetas } = runUpdates(slower, theta0(), [{ w: vec(1, 1), bias: vec(1) }]);
    close(thetas[0].flat(), [0, -3, 0.4], 1e-15, "the bias moves at a tenth of the rate");
    const nesterovOnW = masked(book.nesterov(0.1, 0.9), (p) => p === "w");
    const point = interimPoint(nesterovOnW);
    const { params } = runUpdates(nesterovOnW, theta0(), grads());
    close(point[1], hostLeaves(params)[1], 0, "the unmasked bias is evaluated where it is");
    jaxTree.dispose(params);
  });

  it("composeOptimizer decays weights only unless asked for every parameter", () => {
    const run = (weightDecayMask?: "all") => {
      const opt = composeOptimizer({ name: "book.sgd", hyperparameters: {}, lr: 1, weightDecay: 0.5, weightDecayMask });
      const state = opt.init(theta0());
      const [u, next] = opt.update({ w: vec(0, 0), bias: vec(0) }, state, theta0());
      const out = hostLeaves(applyUpdates(theta0(), u));
      jaxTree.dispose(next);
      return out;
    };
    assert.deepEqual(run(), [[0.5, -1], [0.5]]);
    assert.deepEqual(run("all"), [[0.5, -1], [0.25]]);
  });

  it("names a mask that selects nothing or does not fit the parameters", () => {
    assert.throws(() => masked(book.sgd(0.1), () => false).init(theta0()), /masked: the mask selects no parameter/);
    assert.throws(
      () => masked(book.sgd(0.1), { w: true }).init(theta0()),
      /the mask has no entry for parameter "bias"/,
    );
  });
});
