import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { numpy as np } from "@jax-js/jax";
import {
  disposeTree,
  leavesWithPaths,
  precisionOf,
  refTree,
  startEngine,
  toDevice,
  type Tree,
} from "../../src/engine/index.js";
import {
  chain,
  clipByGlobalNorm,
  namedOptimizer,
  OPTIMIZER_NAMES,
  polyakAveraging,
  skipNonFiniteUpdates,
  type GradientTransformation,
} from "../../src/optim/index.js";

const F32 = precisionOf("float32");
const tree = (seed: number): Tree => ({
  w: toDevice(
    Float32Array.from({ length: 6 }, (_, i) => Math.sin(seed + i)),
    [3, 2],
    F32,
  ),
  b: toDevice(
    Float32Array.from({ length: 2 }, (_, i) => Math.cos(seed + i)),
    [2],
    F32,
  ),
});
const refCounts = (t: Tree) => leavesWithPaths(t).map(({ leaf }) => (leaf as np.Array).refCount);

/** Every named optimizer, bare and inside each wrapper. */
const wrappers: Record<string, (inner: GradientTransformation) => GradientTransformation> = {
  bare: (inner) => inner,
  skipNonFiniteUpdates: (inner) => skipNonFiniteUpdates(inner),
  "polyakAveraging uniform": (inner) => polyakAveraging(inner, { kind: "uniform" }),
  "polyakAveraging exponential": (inner) => polyakAveraging(inner, { kind: "exponential", alpha: 0.9 }),
  "chain(clipByGlobalNorm)": (inner) => chain(clipByGlobalNorm(1), inner),
};

describe(
  "optimizers take exactly the references they are given (init consumes params, update consumes grads and " + "params)",
  () => {
    before(() => startEngine());

    for (const [wrapperName, wrap] of Object.entries(wrappers)) {
      it(
        `${wrapperName}: after init, two updates and disposing the state, the caller's params hold one reference ` +
          `each`,
        () => {
          for (const name of OPTIMIZER_NAMES) {
            const optimizer = wrap(namedOptimizer(name, {}, { totalSteps: 10 }));
            const params = tree(1);
            let state = optimizer.init(refTree(params));
            for (let k = 0; k < 2; k++) {
              const grads = tree(2 + k);
              const [updates, next] = optimizer.update(refTree(grads), state, refTree(params));
              state = next;
              assert.deepEqual(refCounts(grads), [1, 1], `${name}: update kept a reference to the gradients`);
              disposeTree([updates, grads]);
            }
            disposeTree(state);
            assert.deepEqual(refCounts(params), [1, 1], `${name} (${wrapperName}): params' reference counts`);
            disposeTree(params);
          }
        },
      );
    }
  },
);
