import { test } from "node:test";
import assert from "node:assert/strict";
import { sweepConfigSchema } from "../../src/sweep/config.js";
import { expandTrials, gridPoints, trialId } from "../../src/sweep/trials.js";
import { trialArgs } from "../../src/sweep/command.js";

test("grid × seeds: every combination once, last key fastest, seed in each config", () => {
  const sweep = sweepConfigSchema.parse({
    command: "train",
    base: { epochs: 1 },
    grid: { optimizer: ["sgd", "adam"], lr: [0.01, 0.1] },
    seeds: [0, 1, 2],
  });
  const trials = expandTrials(sweep);
  assert.equal(trials.length, 12);
  assert.deepEqual(trials[0].config, { epochs: 1, optimizer: "sgd", lr: 0.01, seed: 0 });
  assert.deepEqual(trials[11].config, { epochs: 1, optimizer: "adam", lr: 0.1, seed: 2 });
  assert.equal(new Set(trials.map((t) => t.id)).size, 12);
  assert.deepEqual(gridPoints({}), [{}]);
});

test("trial ids hash command and config, whatever the key order", () => {
  assert.equal(trialId("train", { lr: 0.1, seed: 0 }), trialId("train", { seed: 0, lr: 0.1 }));
  assert.notEqual(trialId("train", { lr: 0.1, seed: 0 }), trialId("train", { lr: 0.1, seed: 1 }));
  assert.notEqual(trialId("train", { lr: 0.1, seed: 0 }), trialId("optimize", { lr: 0.1, seed: 0 }));
  assert.match(trialId("train", {}), /^[0-9a-f]{12}$/);
});

test("random search: reproducible draws inside their ranges, combined with the grid", () => {
  const config = {
    command: "optimize",
    base: { problem: "rosenbrock" },
    grid: { method: ["book.sgd", "book.adam"] },
    random: { lr: { logUniform: [1e-4, 1] }, momentum: { uniform: [0.5, 0.9] }, nesterov: { choice: [true, false] } },
    trials: 5,
    seeds: [0],
  };
  const a = expandTrials(sweepConfigSchema.parse(config));
  const b = expandTrials(sweepConfigSchema.parse(config));
  assert.equal(a.length, 10);
  assert.deepEqual(a, b);
  for (const { config: c } of a) {
    assert.ok((c.lr as number) >= 1e-4 && (c.lr as number) <= 1);
    assert.ok((c.momentum as number) >= 0.5 && (c.momentum as number) <= 0.9);
    assert.equal(typeof c.nesterov, "boolean");
  }
  const other = expandTrials(sweepConfigSchema.parse({ ...config, searchSeed: 1 }));
  assert.notDeepEqual(
    other.map((t) => t.config.lr),
    a.map((t) => t.config.lr),
  );
});

test("trials caps a grid without random search (per seed)", () => {
  const trials = expandTrials(
    sweepConfigSchema.parse({ command: "optimize", grid: { lr: [1, 2, 3, 4] }, seeds: [0, 1], trials: 2 }),
  );
  assert.equal(trials.length, 4);
});

test("config errors name the field", () => {
  assert.throws(() => sweepConfigSchema.parse({ command: "fit" }), /command/);
  assert.throws(
    () => sweepConfigSchema.parse({ command: "train", random: { lr: { logUniform: [1e-4, 1] } } }),
    /trials/,
  );
  assert.throws(() => sweepConfigSchema.parse({ command: "train", random: { lr: { gaussian: [0, 1] } }, trials: 2 }));
  assert.throws(
    () => sweepConfigSchema.parse({ command: "train", asha: { eta: 3, minResource: 9, maxResource: 3 } }),
    /maxResource/,
  );
});

test("trial arguments: train settings become flags with the trial's --out; optimize's extra keys its --config", () => {
  assert.deepEqual(
    trialArgs("train", { optimizer: "adam", batchSize: 32, batchNorm: true, dataInit: false, seed: 1 }, "D/t", true),
    [
      "train",
      "--optimizer",
      "adam",
      "--batch-size",
      "32",
      "--batch-norm",
      "--seed",
      "1",
      "--out",
      "D/t",
      "--resume",
      "--json",
    ],
  );
  assert.deepEqual(
    trialArgs("optimize", { problem: "beale", method: "book.adam", lr: 0.01, steps: 5, seed: 0 }, "D/t", false),
    [
      "optimize",
      "--problem",
      "beale",
      "--method",
      "book.adam",
      "--steps",
      "5",
      "--seed",
      "0",
      "--config",
      '{"lr":0.01}',
      "--json",
    ],
  );
});

test("points replace the grid's product: each point once per seed; a benchmark trial's flags", () => {
  const sweep = sweepConfigSchema.parse({
    command: "benchmark-trial",
    base: { budget: 1 },
    points: [
      { problem: "beale", method: "book.adam", lr: 0.1 },
      { problem: "beale", method: "lbfgs" },
    ],
    seeds: [0, 1],
  });
  const trials = expandTrials(sweep);
  assert.deepEqual(
    trials.map((t) => [t.config.method, t.config.seed]),
    [
      ["book.adam", 0],
      ["book.adam", 1],
      ["lbfgs", 0],
      ["lbfgs", 1],
    ],
  );
  assert.deepEqual(trialArgs("benchmark-trial", trials[0].config, "D/t", false), [
    "benchmark-trial",
    "--budget",
    "1",
    "--problem",
    "beale",
    "--method",
    "book.adam",
    "--lr",
    "0.1",
    "--seed",
    "0",
    "--json",
  ]);
  assert.throws(
    () => sweepConfigSchema.parse({ command: "train", grid: { lr: [1] }, points: [{ lr: 2 }] }),
    /give either .*grid.* or .*points.*, not both/,
  );
});
