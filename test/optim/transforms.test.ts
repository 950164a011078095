import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { numpy as np, tree as jaxTree } from "@jax-js/jax";
import { startEngine } from "../../src/engine/index.js";
import {
  addDecayedWeights,
  book,
  chain,
  clipByGlobalNorm,
  clipByTensorNorm,
  clipByValue,
  decoupledWeightDecay,
  globalNorm,
  lion,
  amsgrad,
  polyakAveraging,
  scaleByLearningRate,
  skipNonFiniteUpdates,
  torch,
  torchMomentum,
  type GradientTransformation,
} from "../../src/optim/index.js";
import { close, host, hostLeaves, runUpdates, vec } from "./helpers.js";

/** One update of `opt` from fresh state: the updates for gradient g at θ. */
function once(opt: GradientTransformation, theta: number[], g: number[]): number[] {
  const state = opt.init(vec(...theta));
  const [u, next] = opt.update(vec(...g), state, vec(...theta));
  jaxTree.dispose(next);
  return host(u as never);
}

describe("gradient transformations", () => {
  before(() => startEngine());

  describe("clipping (8.2.4)", () => {
    it(
      "by global norm: rescales to norm c across all tensors, keeps the direction, leaves small gradients " + "alone",
      () => {
        const clip = clipByGlobalNorm(1);
        const state = clip.init({ a: vec(0, 0), b: vec(0) });
        const [u, s] = clip.update({ a: vec(3, 0), b: vec(4) }, state);
        const [a, b] = hostLeaves(u);
        close([...a, ...b], [0.6, 0, 0.8], 1e-15, "clipped");
        assert.ok(Math.abs(globalNorm(u).item() - 1) < 1e-15);
        jaxTree.dispose(u);
        const [small] = clip.update({ a: vec(0.3, 0), b: vec(0.4) }, s);
        assert.deepEqual(hostLeaves(small).flat(), [0.3, 0, 0.4]);
        jaxTree.dispose(small);
      },
    );

    it("per tensor: each tensor to norm c on its own", () => {
      const clip = clipByTensorNorm(1);
      const [u, s] = clip.update({ a: vec(3, 4), b: vec(0.5) }, clip.init({ a: vec(0, 0), b: vec(0) }));
      close(hostLeaves(u).flat(), [0.6, 0.8, 0.5], 1e-15, "per tensor");
      jaxTree.dispose([u, s]);
    });

    it("by value: each entry to [−c, c]", () =>
      assert.deepEqual(once(clipByValue(0.5), [0, 0, 0], [-2, 0.1, 7]), [-0.5, 0.1, 0.5]));
  });

  describe("weight decay", () => {
    it("coupled adds λθ to the gradient; decoupled subtracts ελθ after the optimizer", () => {
      close(once(addDecayedWeights(0.1), [2, -4], [1, 1]), [1.2, 0.6], 1e-15, "coupled");
      close(
        once(chain(scaleByLearningRate(0.5), decoupledWeightDecay(0.1, 0.5)), [2, -4], [1, 1]),
        [-0.5 - 0.1, -0.5 + 0.2],
        1e-15,
        "decoupled",
      );
      const decay = addDecayedWeights(0.1);
      assert.throws(() => decay.update(vec(1), decay.init(vec(1))), /needs the parameters/);
    });

    it("AdamW's θ(1 − ελ) then the Adam step, vs Adam with coupled decay: the decay stays out of the moments", () => {
      const [theta, g, lr, wd] = [3, 0.5, 0.1, 0.2];
      // First Adam step: ŝ/(√r̂ + δ) = g/(|g| + δ).
      const adamStep = (grad: number) => grad / (Math.abs(grad) + 1e-8);
      close(
        once(torch.AdamW({ lr, weight_decay: wd }), [theta], [g]),
        [-lr * wd * theta - lr * adamStep(g)],
        1e-15,
        "AdamW",
      );
      close(
        once(torch.Adam({ lr, weight_decay: wd }), [theta], [g]),
        [-lr * adamStep(g + wd * theta)],
        1e-15,
        "Adam + L2",
      );
    });
  });

  describe("Polyak averaging (8.7.3)", () => {
    const grads = [
      [1, 2],
      [3, -1],
      [-2, 0.5],
      [0.5, 0.5],
    ];
    const sgdIterates = () => {
      const out: number[][] = [];
      let t = [1, -1];
      for (const g of grads) {
        t = t.map((v, i) => v - 0.1 * g[i]);
        out.push(t);
      }
      return out;
    };

    it("uniform: θ̂(t) = 1/t Σ_{i=1..t} θ(i)", () => {
      const opt = polyakAveraging(book.sgd(0.1), { kind: "uniform" });
      const { state, params } = runUpdates(
        opt,
        vec(1, -1),
        grads.map((g) => vec(...g)),
      );
      const iterates = sgdIterates();
      const mean = iterates[0].map((_, j) => iterates.reduce((s, t) => s + t[j], 0) / iterates.length);
      close(host(opt.averagedParams!(state) as never), mean, 1e-15, "uniform average");
      close(hostLeaves(params)[0], iterates.at(-1)!, 1e-15, "θ itself is plain SGD");
      jaxTree.dispose([state, params]);
    });

    it("exponential (eq. 8.39): θ̂(t) = αθ̂(t−1) + (1 − α)θ(t) from θ̂(0) = θ(0)", () => {
      const alpha = 0.7;
      const opt = polyakAveraging(book.sgd(0.1), { kind: "exponential", alpha });
      const { state, params } = runUpdates(
        opt,
        vec(1, -1),
        grads.map((g) => vec(...g)),
      );
      const expected = sgdIterates().reduce((avg, t) => avg.map((a, j) => alpha * a + (1 - alpha) * t[j]), [1, -1]);
      close(host(opt.averagedParams!(state) as never), expected, 1e-15, "exponential average");
      jaxTree.dispose([state, params]);
    });
  });

  describe("non-finite guard", () => {
    it("skips an update whose gradient is NaN or Inf (zero update, state kept) and counts the skips", () => {
      const opt = skipNonFiniteUpdates(book.momentum(0.1, 0.5));
      const { thetas, state, params } = runUpdates(opt, vec(1, 1), [
        vec(1, 1),
        vec(NaN, 1),
        vec(1, Infinity),
        vec(1, 1),
      ]);
      close(thetas[0].flat(), [0.9, 0.9], 1e-15, "first step");
      assert.deepEqual(thetas[1], thetas[0]);
      assert.deepEqual(thetas[2], thetas[0]);
      // The velocity survived the skips: v = 0.5·(−0.1) − 0.1 = −0.15.
      close(thetas[3].flat(), [0.75, 0.75], 1e-15, "momentum resumes");
      assert.equal(opt.skippedUpdates!(state).item(), 2);
      jaxTree.dispose([state, params]);
    });
  });

  describe("momentum forms", () => {
    it(
      "Alg. 8.2 puts ε inside the velocity: a rate schedule changes past steps' weight differently from PyTorch's " +
        "form",
      () => {
        const rate = (k: np.Array) => k.mul(0.1); // ε_k = 0.1k
        const bookRun = runUpdates(book.momentum(rate, 0.5), vec(0), [vec(1), vec(1)]);
        // v1 = −0.1, v2 = 0.5·(−0.1) − 0.2 = −0.25.
        close(bookRun.thetas[1].flat(), [-0.35], 1e-15, "book");
        // PyTorch's form: b2 = 0.5 + 1, θ2 = −0.1 − 0.2·1.5.
        const torchRun = runUpdates(torch.SGD({ lr: rate, momentum: 0.5 }), vec(0), [vec(1), vec(1)]);
        close(torchRun.thetas[1].flat(), [-0.4], 1e-15, "PyTorch's form");
        jaxTree.dispose([bookRun.state, bookRun.params, torchRun.state, torchRun.params]);
      },
    );

    it(
      "PyTorch's buffer starts as a copy of g (no dampening on the first step), then μb + (1 − dampening)g; " +
        "Nesterov uses g + μb",
      () => {
        const run = runUpdates(torchMomentum(0.9, 0.5), vec(0), [vec(1), vec(1)]);
        close(
          run.thetas.map((t) => t[0][0]),
          [1, 1 + 0.9 + 0.5],
          1e-15,
          "buffers as updates",
        );
        const nesterov = runUpdates(torchMomentum(0.9, 0, true), vec(0), [vec(1), vec(1)]);
        close(
          nesterov.thetas.map((t) => t[0][0]),
          [1.9, 1.9 + 1 + 0.9 * 1.9],
          1e-15,
          "Nesterov's reformulation",
        );
        jaxTree.dispose([run.state, run.params, nesterov.state, nesterov.params]);
        assert.throws(() => torch.SGD({ nesterov: true }), /requires a momentum/);
      },
    );

    it("book Nesterov asks for the gradient at θ + αv; chains compose evaluation points", () => {
      const opt = book.rmspropNesterov(0.1, 0.9, 0.5);
      assert.ok(opt.evaluationPoint);
      const { state, params } = runUpdates(opt, vec(1, 2), [vec(0.3, -0.4)]);
      const v = hostLeaves(state)[4];
      const point = host(opt.evaluationPoint!(jaxTree.ref(params), jaxTree.ref(state)) as never);
      close(
        point,
        hostLeaves(params)[0].map((p, i) => p + 0.5 * v[i]),
        1e-15,
        "θ + αv",
      );
      assert.equal(book.adam().evaluationPoint, undefined, "no interim point: the caller evaluates at θ");
      jaxTree.dispose([state, params]);
    });
  });

  describe("beyond the book", () => {
    it("AMSGrad divides by the running maximum of r, PyTorch's way", () => {
      const grads = [2, 0.1];
      const { thetas, state, params } = runUpdates(
        amsgrad(0.1, 0.9, 0.999, 0),
        vec(0),
        grads.map((g) => vec(g)),
      );
      let [s, r, rMax, theta] = [0, 0, 0, 0];
      grads.forEach((g, i) => {
        const t = i + 1;
        s = 0.9 * s + 0.1 * g;
        r = 0.999 * r + 0.001 * g * g;
        rMax = Math.max(rMax, r);
        theta -= (0.1 * s) / (1 - 0.9 ** t) / Math.sqrt(rMax / (1 - 0.999 ** t));
      });
      close([thetas[1][0][0]], [theta], 1e-14, "AMSGrad");
      jaxTree.dispose([state, params]);
    });

    it("NAdam follows PyTorch's momentum schedule", () => {
      const grads = [1, -0.5, 0.25];
      const { thetas, state, params } = runUpdates(
        torch.NAdam({ lr: 0.1 }),
        vec(0.5),
        grads.map((g) => vec(g)),
      );
      let [s, r, theta, product] = [0, 0, 0.5, 1];
      grads.forEach((g, i) => {
        const t = i + 1;
        const mu = 0.9 * (1 - 0.5 * 0.96 ** (t * 0.004));
        const muNext = 0.9 * (1 - 0.5 * 0.96 ** ((t + 1) * 0.004));
        product *= mu;
        s = 0.9 * s + 0.1 * g;
        r = 0.999 * r + 0.001 * g * g;
        const d = Math.sqrt(r / (1 - 0.999 ** t)) + 1e-8;
        theta += ((-0.1 * (1 - mu)) / (1 - product)) * (g / d) + ((-0.1 * muNext) / (1 - product * muNext)) * (s / d);
      });
      close([thetas[2][0][0]], [theta], 1e-14, "NAdam");
      jaxTree.dispose([state, params]);
    });

    it("Lion steps by the sign of the interpolated momentum, with decoupled decay", () => {
      const { thetas, state, params } = runUpdates(lion(0.1, 0.9, 0.99, 0.5), vec(1, 1, 1), [
        vec(2, -3, 0),
        vec(-1, -1, 1),
      ]);
      // Step 1: m = 0, c = 0.1 g → sign(g); step 2: m = 0.01·g1, c = 0.9 m + 0.1 g2.
      const first = [1 - 0.1 * (1 + 0.5), 1 - 0.1 * (-1 + 0.5), 1 - 0.1 * (0 + 0.5)];
      close(thetas[0].flat(), first, 1e-15, "step 1");
      const c = [0.9 * 0.02 - 0.1, 0.9 * -0.03 - 0.1, 0.1];
      close(
        thetas[1].flat(),
        first.map((t, i) => t - 0.1 * (Math.sign(c[i]) + 0.5 * t)),
        1e-15,
        "step 2",
      );
      jaxTree.dispose([state, params]);
    });
  });
});
