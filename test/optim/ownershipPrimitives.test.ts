import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { numpy as np } from "@jax-js/jax";
import { disposeTree, leavesWithPaths, refTree, startEngine, type Tree } from "../../src/engine/index.js";
import {
  addDecayedWeights,
  amsgrad,
  applyUpdates,
  book,
  chain,
  clipByGlobalNorm,
  clipByTensorNorm,
  clipByValue,
  decoupledWeightDecay,
  lion,
  masked,
  nesterovMomentum,
  polyakAveraging,
  scale,
  scaleByAdagrad,
  scaleByAdam,
  scaleByLearningRate,
  scaleByLion,
  scaleByNadam,
  scaleByRms,
  skipNonFiniteUpdates,
  torchMomentum,
  traceMomentum,
  weightDecayMask,
  type GradientTransformation,
} from "../../src/optim/index.js";
import { assertRefCounts } from "../nn/helpers.js";
import { vec } from "./helpers.js";

/** Every primitive and wrapper (the named optimizers and their wrappers have their own ownership test). */
const TRANSFORMS: Record<string, () => GradientTransformation> = {
  scaleByLearningRate: () => scaleByLearningRate(0.1),
  scale: () => scale(0.5),
  traceMomentum: () => traceMomentum(0.9),
  nesterovMomentum: () => nesterovMomentum(0.9),
  "torchMomentum (nesterov, dampening)": () => torchMomentum(0.9, 0, true),
  scaleByAdagrad: () => scaleByAdagrad(1e-7, 0.1),
  "scaleByRms (centered)": () => scaleByRms(0.9, 1e-6, { centered: true }),
  "scaleByAdam (amsgrad)": () => scaleByAdam(0.9, 0.999, 1e-8, { amsgrad: true }),
  scaleByNadam: () => scaleByNadam(),
  scaleByLion: () => scaleByLion(),
  clipByGlobalNorm: () => clipByGlobalNorm(1),
  clipByTensorNorm: () => clipByTensorNorm(1),
  clipByValue: () => clipByValue(0.5),
  addDecayedWeights: () => addDecayedWeights(0.1),
  decoupledWeightDecay: () => decoupledWeightDecay(0.1, 0.01),
  amsgrad: () => amsgrad(),
  lion: () => lion(1e-3, 0.9, 0.99, 0.1),
  "chain (book.nesterov)": () => chain(clipByValue(10), book.nesterov(0.1, 0.9)),
  "polyakAveraging (nesterov)": () => polyakAveraging(book.nesterov(0.1, 0.9), { kind: "exponential", alpha: 0.5 }),
  "skipNonFiniteUpdates (nesterov)": () => skipNonFiniteUpdates(book.nesterov(0.1, 0.9)),
  "masked (weight decay)": () => masked(addDecayedWeights(0.1), weightDecayMask),
  "masked (nesterov on w)": () => masked(book.nesterov(0.1, 0.9), (path) => path === "w"),
  "masked (guarded adam)": () => masked(skipNonFiniteUpdates(book.adam(0.1)), { w: true, bias: false }),
};

const params = (): Tree => ({ w: vec(1, -2, 0.5), bias: vec(0.25) });
const grads = (k: number): Tree => ({ w: vec(k, -1, 2), bias: vec(0.5 * k) });
const counts = (t: Tree) => leavesWithPaths(t).map(({ leaf }) => (leaf as np.Array).refCount);

describe("the ownership contract of every primitive and wrapper", () => {
  before(() => startEngine());

  for (const [name, make] of Object.entries(TRANSFORMS)) {
    it(`${name}: init and update consume exactly what they are given; the queries borrow`, () => {
      const opt = make();
      let theta = params();
      const initial = refTree(theta); // the starting arrays, watched until the end
      let state = opt.init(refTree(theta));
      for (let k = 1; k <= 2; k++) {
        const g = grads(k);
        const kept = refTree(g);
        const [updates, next] = opt.update(g, state, refTree(theta));
        state = next;
        theta = applyUpdates(theta, updates);
        // A leaf passed through unchanged (masks) lives on in the updates until applyUpdates consumes them.
        assertRefCounts(kept, 1, `${name} gradient after update ${k} (consumed once)`);
        disposeTree(kept);
        const [thetaCounts, stateCounts] = [counts(theta), counts(state)];
        if (opt.evaluationPoint) disposeTree(opt.evaluationPoint(refTree(theta), refTree(state)));
        if (opt.averagedParams) disposeTree(opt.averagedParams(state));
        if (opt.skippedUpdates) opt.skippedUpdates(state).dispose();
        assert.deepEqual(counts(theta), thetaCounts, `${name}: a query changed θ's references`);
        assert.deepEqual(counts(state), stateCounts, `${name}: a query changed the state's references`);
      }
      disposeTree(state);
      assertRefCounts(theta, 1, `${name} θ once the state is gone`);
      assertRefCounts(initial, 1, `${name} the initial θ once the state is gone (init took exactly its reference)`);
      disposeTree([theta, initial]);
    });
  }
});
