import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { precisionOf, startEngine } from "../../src/engine/index.js";
import { firstOrderMethods } from "../../src/methods/firstOrder.js";
import { loadProblem, Objective, type ReferenceRun } from "../../src/problems/index.js";
import { trajectoryDeviation } from "./helpers.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const precision = precisionOf("float64");

/**
 * A recorded run, with the settings of ours that reproduce it when they differ from the config (PyTorch 1.13's NAdam).
 */
type Run = ReferenceRun & { descent?: Record<string, unknown>; source?: string };

/**
 * torch.optim options recorded by test/fixtures/gen/torch_parity.py (PyTorch 1.13, float64):
 * max|θ − θ_ref| <= 1e-8·(1 + max|θ_ref|) at every one of 30 steps.
 */
describe("torch.* presets reproduce recorded PyTorch runs of every option (float64)", () => {
  before(() => startEngine());

  for (const file of ["trajectories-torch-options.json", "trajectories-torch-maximize.json"]) {
    const { runs } = JSON.parse(readFileSync(fixture(file), "utf8")) as { runs: Run[] };
    for (const run of runs) {
      const config = { ...run.config, ...run.descent };
      it(
        `${file.replace("trajectories-", "").replace(".json", "")}: ${run.algorithm} ${JSON.stringify(config)}` +
          `${run.source ? ` (${run.source})` : ""}`,
        () => {
          const { problem } = loadProblem(fixture(file), { precision });
          const objective = new Objective(problem, precision);
          try {
            const result = firstOrderMethods[run.algorithm].run(objective, Float64Array.from(problem.x0), config, {
              steps: run.steps,
              recordTrajectory: true,
            });
            const { worst, step, raw } = trajectoryDeviation(result.trajectory!, run.trajectory);
            assert.ok(
              worst <= 1,
              `step ${step}: deviation ${raw.toExponential(2)} (${worst.toExponential(2)} × the tolerance)`,
            );
          } finally {
            objective.dispose();
            problem.dispose();
          }
        },
      );
    }
  }

  it(
    "PyTorch 1.13's NAdam differs from the 2.0 rule by far more than the tolerance (the legacy option is " + "needed)",
    () => {
      const { runs } = JSON.parse(readFileSync(fixture("trajectories-torch-options.json"), "utf8")) as { runs: Run[] };
      const [legacy, fixed] = [
        runs.find((r) => r.algorithm === "torch.NAdam" && r.descent)!,
        runs.find((r) => r.algorithm === "torch.NAdam" && r.source)!,
      ];
      assert.ok(trajectoryDeviation(legacy.trajectory, fixed.trajectory).raw > 1e-4);
    },
  );
});
