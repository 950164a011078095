import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { precisionOf, startEngine } from "../../src/engine/index.js";
import { firstOrderMethods } from "../../src/methods/firstOrder.js";
import { loadProblem, Objective, type ReferenceRun } from "../../src/problems/index.js";
import { firstOrderRuns, trajectoryDeviation } from "../optim/helpers.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const precision = precisionOf("float64");

/**
 * Every book.* and torch.* run of the reference files, in
 * process: max|θ − θ_ref| <= 1e-8·(1 + max|θ_ref|) at every step.
 */
describe("first-order optimizers reproduce the reference trajectories (float64, in process)", () => {
  before(() => startEngine());

  for (const file of ["trajectories-quadratic.json", "trajectories-mlp.json"]) {
    for (const run of firstOrderRuns(fixture(file))) {
      it(
        `${file.replace("trajectories-", "").replace(".json", "")}: ${run.algorithm} ` +
          `${JSON.stringify(run.config)}`,
        () => {
          const { problem } = loadProblem(fixture(file), { precision });
          const objective = new Objective(problem, precision);
          try {
            const result = firstOrderMethods[run.algorithm].run(objective, Float64Array.from(problem.x0), run.config, {
              steps: run.steps,
              recordTrajectory: true,
            });
            assert.equal(result.iterations, run.steps);
            assert.equal(result.gevals, run.steps + 1, "one gradient per step, plus the final report");
            const { worst, step } = trajectoryDeviation(result.trajectory!, (run as ReferenceRun).trajectory);
            assert.ok(worst <= 1, `step ${step}: deviation ${worst.toExponential(2)} × the tolerance`);
          } finally {
            objective.dispose();
            problem.dispose();
          }
        },
      );
    }
  }
});
