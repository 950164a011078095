import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tree as jaxTree, numpy as np } from "@jax-js/jax";
import { startEngine, type Precision, type Tree } from "../../src/engine/index.js";
import {
  composeOptimizer,
  cosineDecaySchedule,
  parseHyperparameters,
  type GradientTransformation,
} from "../../src/optim/index.js";
import { loadCheckpoint, saveCheckpoint } from "../../src/train/index.js";
import { hostLeaves, vec } from "../optim/helpers.js";

/** The device of the optim helpers' vectors (`vec`: float64 on the exact cpu device). */
const precision: Precision = { dtype: np.float64, device: "cpu" };
const gradients = (k: number): Tree => ({ w: vec(Math.sin(k), Math.cos(k), 0.3 * k), b: vec(k % 2 ? NaN : -0.5 * k) });

function advance(opt: GradientTransformation, params: Tree, state: Tree, from: number, to: number): [Tree, Tree] {
  for (let k = from; k < to; k++) {
    const [u, next] = opt.update(gradients(k), state, jaxTree.ref(params));
    state = next;
    params = jaxTree.map(
      (p: never, d: never) => (p as { add(x: never): never }).add(d),
      params as never,
      u as never,
    ) as Tree;
  }
  return [params, state];
}

describe("optimizer state round-trips through a checkpoint", () => {
  before(() => startEngine());

  for (const name of ["torch.Adam", "book.rmsprop_nesterov", "torch.SGD"]) {
    it(`${name} with clipping, decoupled decay, averaging and the non-finite guard resumes bit for bit`, () => {
      const build = () =>
        composeOptimizer(
          {
            name,
            hyperparameters: parseHyperparameters(
              name,
              name === "torch.SGD" ? { momentum: 0.9, nesterov: true } : name === "torch.Adam" ? { amsgrad: true } : {},
              { withoutLearningRate: true },
            ),
            lr: cosineDecaySchedule(0.05, 10),
            clipNorm: 1,
            decoupledWeightDecay: 0.01,
            average: "exponential",
            averageDecay: 0.8,
            skipNonFinite: true,
          },
          { totalSteps: 10 },
        );
      const opt = build();
      const theta0 = () => ({ w: vec(1, -2, 0.5), b: vec(0.25) });
      let params: Tree = theta0();
      let state = opt.init(jaxTree.ref(params));
      [params, state] = advance(opt, params, state, 0, 4);
      const path = join(mkdtempSync(join(tmpdir(), "descent-optstate-")), "c.safetensors");
      saveCheckpoint(path, { params, modelState: {}, optState: state }, { step: 4, epoch: 0 }, null);

      const fresh = build();
      const template = theta0();
      const loaded = loadCheckpoint(
        path,
        { params: jaxTree.ref(template), modelState: {}, optState: fresh.init(template) },
        precision,
      );
      const [a, sa] = advance(opt, params, state, 4, 8);
      const [b, sb] = advance(fresh, loaded.state.params, loaded.state.optState, 4, 8);
      assert.deepEqual(hostLeaves(b), hostLeaves(a));
      assert.deepEqual(hostLeaves(sb), hostLeaves(sa));
      assert.deepEqual(hostLeaves(fresh.averagedParams!(sb)), hostLeaves(opt.averagedParams!(sa)));
      assert.equal(opt.skippedUpdates!(sa).item(), 4, "the odd steps' NaN gradients were skipped");
      jaxTree.dispose([a, sa, b, sb]);
    });
  }
});
