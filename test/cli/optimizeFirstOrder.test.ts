import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { descentAsync, firstOrderRuns, limited, trajectoryDeviation } from "../optim/helpers.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "descent-optimize-"));

const runs = ["trajectories-quadratic.json", "trajectories-mlp.json"].flatMap((file) =>
  firstOrderRuns(fixture(file)).map((run, i) => ({ file, run, out: join(dir, `${file}-${i}.json`) })),
);

// Every run through the built binary, two processes at a time (the machine has two cores).
const launched = limited(
  runs.map(
    ({ file, run, out }) =>
      () =>
        descentAsync([
          "optimize",
          "--problem",
          fixture(file),
          "--method",
          run.algorithm,
          "--config",
          JSON.stringify(run.config),
          "--steps",
          String(run.steps),
          "--dtype",
          "float64",
          "--trajectory",
          out,
          "--json",
        ]),
  ),
  2,
);

describe("descent optimize reproduces every first-order reference run end to end (float64)", () => {
  runs.forEach(({ file, run, out }, i) => {
    it(
      `${file.replace("trajectories-", "").replace(".json", "")}: ${run.algorithm} ` + `${JSON.stringify(run.config)}`,
      async () => {
        const result = await launched[i];
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout.trim().split("\n").length, 1, "one JSON line");
        const summary = JSON.parse(result.stdout);
        assert.deepEqual(Object.keys(summary), [
          "method",
          "problem",
          "iterations",
          "fevals",
          "gevals",
          "hevals",
          "f",
          "gradNorm",
          "converged",
          "message",
          "seconds",
        ]);
        assert.equal(summary.method, run.algorithm);
        assert.equal(summary.iterations, run.steps);
        assert.equal(summary.hevals, 0);
        const { trajectory } = JSON.parse(readFileSync(out, "utf8"));
        const { worst, step } = trajectoryDeviation(trajectory, run.trajectory);
        assert.ok(
          worst <= 1,
          `step ${step}: deviation ${worst.toExponential(2)} × the tolerance 1e-8·(1 + max|θ_ref|)`,
        );
      },
    );
  });

  it("rejects an unknown hyperparameter with exit code 2, naming it", async () => {
    const run = await descentAsync([
      "optimize",
      "--problem",
      "quadratic",
      "--method",
      "torch.SGD",
      "--config",
      '{"momentun": 0.9}',
    ]);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, /unknown key "momentun"/);
  });

  it("rejects a hyperparameter of the wrong type, naming it", async () => {
    const run = await descentAsync([
      "optimize",
      "--problem",
      "quadratic",
      "--method",
      "book.adam",
      "--config",
      '{"rho1": "high"}',
    ]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /"rho1" expected number/);
  });
});
