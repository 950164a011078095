import { before, describe, it } from "node:test";
import { jit, numpy as np, tree as jaxTree } from "@jax-js/jax";
import { precisionOf, startEngine, toDevice, type Tree } from "../../src/engine/index.js";
import {
  applyUpdates,
  composeOptimizer,
  OPTIMIZER_NAMES,
  parseHyperparameters,
  type GradientTransformation,
} from "../../src/optim/index.js";
import { close, hostLeaves } from "./helpers.js";

const f32 = precisionOf("float32");
const params = (): Tree => ({ w: toDevice([0.5, -1, 2, 0.25], [2, 2], f32), b: toDevice([0.1, -0.3], [2], f32) });
const grads = (k: number): Tree => ({
  w: toDevice([Math.sin(k), 1, -2, 0.5 * k], [2, 2], f32),
  b: toDevice([k % 3 === 1 ? NaN : 0.3, -0.7], [2], f32),
});

/** Three steps, the evaluation point included, either eagerly or as the Trainer runs them: compiled. */
function threeSteps(opt: GradientTransformation, compiled: boolean): number[][] {
  const step = (p: Tree, s: Tree, g: Tree): [Tree, Tree, Tree] => {
    const point = opt.evaluationPoint ? opt.evaluationPoint(jaxTree.ref(p), jaxTree.ref(s)) : jaxTree.ref(p);
    const [u, next] = opt.update(g, s, jaxTree.ref(p));
    return [applyUpdates(p, u), next, point];
  };
  const run = compiled ? jit(step) : step;
  let [p, s] = [params(), opt.init(params())];
  const out: number[][] = [];
  for (let k = 0; k < 3; k++) {
    const [np1, ns, point] = run(p as never, s as never, grads(k) as never) as unknown as [Tree, Tree, Tree];
    [p, s] = [np1, ns];
    out.push(...hostLeaves(point));
    jaxTree.dispose(point);
  }
  out.push(...hostLeaves(p), ...hostLeaves(s));
  jaxTree.dispose([p, s]);
  if (compiled) (run as unknown as { dispose(): void }).dispose();
  return out;
}

/**
 * Every optimizer, with a warmed-up cosine rate, clipping, both
 * decays, averaging and the guard, runs inside jit as it runs eagerly.
 */
describe("every optimizer compiles (float32 jit) to the eager result", () => {
  before(() => startEngine());

  for (const name of OPTIMIZER_NAMES) {
    it(name, () => {
      const build = () =>
        composeOptimizer(
          {
            name,
            hyperparameters: parseHyperparameters(name, {}, { withoutLearningRate: true }),
            lr: (k: np.Array) => np.minimum(k.ref.mul(0.01), np.cos(k.mul(0.1))),
            clipValue: 1.5,
            clipTensorNorm: 2,
            clipNorm: 2.5,
            weightDecay: 0.01,
            decoupledWeightDecay: 0.02,
            average: "exponential",
            averageDecay: 0.5,
            skipNonFinite: true,
          },
          { totalSteps: 3 },
        );
      const eager = threeSteps(build(), false);
      const compiled = threeSteps(build(), true);
      compiled.forEach((leaf, i) => close(leaf, eager[i], 1e-5, `leaf ${i}`));
    });
  }
});
