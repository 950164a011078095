import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { precisionOf, startEngine, type DTypeName } from "../../src/engine/index.js";
import { runFirstOrderCompiled } from "../../src/methods/compiledRunner.js";
import { runFirstOrder } from "../../src/methods/firstOrderRunner.js";
import { OPTIMIZERS, parseHyperparameters } from "../../src/optim/presets.js";
import { Objective } from "../../src/problems/objective.js";
import { SURFACES } from "../../src/problems/surfaces.js";
import type { OptimizeResult } from "../../src/solvers/result.js";

/** A run as plain JSON: every number written in full, so equal strings mean equal bits. */
const asJson = (r: OptimizeResult) =>
  JSON.stringify({ ...r, x: [...r.x], trajectory: r.trajectory?.map((t) => [...t]) });

function runBoth(
  name: string,
  config: Record<string, unknown>,
  opts: { surface: string; dtype: DTypeName; steps: number; chunkSteps?: number },
): [string, string, OptimizeResult] {
  const precision = precisionOf(opts.dtype);
  const surface = SURFACES[opts.surface];
  const run = (compiled: boolean) => {
    const problem = surface.problem(precision);
    const objective = new Objective(problem, precision);
    const optimizer = OPTIMIZERS[name].build(parseHyperparameters(name, config), { totalSteps: opts.steps });
    const x0 = Float64Array.from(surface.start);
    const runOpts = { steps: opts.steps, recordTrajectory: true, chunkSteps: opts.chunkSteps };
    try {
      return compiled
        ? runFirstOrderCompiled(optimizer, objective, x0, runOpts)
        : runFirstOrder(optimizer, objective, x0, runOpts);
    } finally {
      objective.dispose();
      problem.dispose();
    }
  };
  const compiled = run(true);
  return [asJson(run(false)), asJson(compiled), compiled];
}

describe("the compiled first-order runner equals the per-step runner bit for bit", () => {
  before(() => startEngine());

  it("every optimizer, float64 on Rosenbrock, one step per compiled call", () => {
    for (const name of Object.keys(OPTIMIZERS)) {
      const [eager, compiled, result] = runBoth(
        name,
        { lr: 1e-3 },
        { surface: "rosenbrock", dtype: "float64", steps: 8 },
      );
      assert.equal(compiled, eager, name);
      assert.equal(result.trajectory?.length, 8);
    }
  });

  it("chunks of several steps, float32 and float64, a run length that is not a multiple of the chunk", () => {
    for (const dtype of ["float32", "float64"] as const)
      for (const name of ["book.nesterov", "book.adam", "torch.SGD", "torch.Adagrad"]) {
        const [eager, compiled] = runBoth(
          name,
          { lr: 0.01 },
          { surface: "ill-conditioned", dtype, steps: 11, chunkSteps: 4 },
        );
        assert.equal(compiled, eager, `${dtype} ${name}`);
      }
  });

  it("a learning-rate schedule (the step count lives in the compiled state)", () => {
    const config = { lr: { kind: "cosine", init: 0.02, steps: 10 } };
    const [eager, compiled] = runBoth("book.momentum", config, {
      surface: "beale",
      dtype: "float64",
      steps: 10,
      chunkSteps: 3,
    });
    assert.equal(compiled, eager);
  });

  it("a diverging run stops at the same step with the same message and counts", () => {
    const [eager, compiled, result] = runBoth(
      "book.sgd",
      { lr: 10 },
      { surface: "rosenbrock", dtype: "float64", steps: 40, chunkSteps: 6 },
    );
    assert.equal(compiled, eager);
    assert.match(result.message, /^diverged: θ is not finite after step \d+/);
    assert.ok(result.iterations < 40, `stopped after ${result.iterations} steps`);
    assert.equal(result.gevals, result.iterations, "one gradient per step taken; none for the chunk's discarded steps");
  });
});
