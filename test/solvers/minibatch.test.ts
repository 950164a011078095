import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { precisionOf, startEngine } from "../../src/engine/index.js";
import { gaussianBlobs, subset } from "../../src/data/index.js";
import { mlp } from "../../src/nn/index.js";
import { loadProblem, Objective } from "../../src/problems/index.js";
import type { Vec } from "../../src/linalg/vector.js";
import { minibatchCg, minibatchLbfgs } from "../../src/solvers/minibatch.js";
import { closureOptimizer, train } from "../../src/train/index.js";
import { descent } from "../cli/run.js";

const precision = precisionOf("float64");
const blobs = gaussianBlobs({ count: 300, classes: 3, dim: 4, spread: 1.0, key: 7 });
const trainSet = subset(
  blobs,
  Array.from({ length: 200 }, (_, i) => i),
);
const testSet = subset(
  blobs,
  Array.from({ length: 100 }, (_, i) => 200 + i),
);

describe("minibatch L-BFGS and CG (the closure pattern of torch.optim.LBFGS)", () => {
  before(() => startEngine());

  it("on a fixed 'batch' they are the full-batch methods: rosenbrock is minimized, every evaluation counted", () => {
    for (const solver of [minibatchLbfgs({ maxIter: 100 }), minibatchCg()]) {
      const { problem } = loadProblem("rosenbrock", { precision, dim: 2 });
      const batch = new Objective(problem, precision);
      let x: Vec = Float64Array.from(problem.x0);
      let losses: number[] = [];
      for (let k = 0; k < (solver.name === "minibatch-lbfgs" ? 1 : 200); k++) {
        const step = solver.step(x, batch);
        losses.push(step.loss);
        x = step.x;
      }
      const [f] = batch.valueAndGrad(x);
      assert.ok(f < 1e-8, `${solver.name}: f = ${f}`);
      assert.ok(batch.counts.gevals >= losses.length);
      losses = losses.filter(Number.isFinite);
      assert.ok(
        losses.every((l, i) => i === 0 || l <= losses[i - 1] + 1e-12),
        `${solver.name}: the loss rose`,
      );
    }
  });

  it("L-BFGS keeps curvature pairs from two gradients of the same minibatch", () => {
    const { problem } = loadProblem("rosenbrock", { precision, dim: 4 });
    const batch = new Objective(problem, precision);
    const solver = minibatchLbfgs({ lineSearch: "none", lr: 1e-3 });
    const step = solver.step(Float64Array.from(problem.x0), batch);
    // A fixed step and the extra evaluation at its end on the same batch: 2 gradients.
    assert.deepEqual([batch.counts.fevals, batch.counts.gevals], [2, 2]);
    assert.ok(step.lossAfter < step.loss);
  });

  for (const [name, solver] of [
    ["lbfgs", () => minibatchLbfgs()],
    ["cg", () => minibatchCg()],
  ] as const) {
    it(`trains an MLP through the Trainer (${name}, float32, batch norm)`, async () => {
      const result = await train({
        model: mlp(3, { width: 16, depth: 1, batchNorm: true }),
        train: trainSet,
        test: testSet,
        optimizer: closureOptimizer(solver()),
        epochs: 4,
        batchSize: 50,
        seed: 3,
        precision: precisionOf("float32"),
      });
      assert.equal(result.steps, 16);
      assert.ok(result.test!.accuracy! >= 0.95, `test accuracy ${result.test!.accuracy}`);
    });
  }

  it(
    "descent train --optimizer minibatch-lbfgs reaches >= 92% on the bundled digits with its defaults (batch 1000, " +
      "10 epochs)",
    () => {
      const run = descent([
        "train",
        "--optimizer",
        "minibatch-lbfgs",
        "--json",
        "--out",
        mkdtempSync(join(tmpdir(), "descent-lbfgs-")),
      ]);
      assert.equal(run.code, 0, run.stderr);
      const summary = JSON.parse(run.stdout);
      assert.deepEqual([summary.epochs, summary.steps], [10, 80]);
      assert.ok(summary.testAccuracy >= 0.92, `test accuracy ${summary.testAccuracy}`);
    },
  );

  it("descent train rejects a solver setting it cannot honour, naming it", () => {
    const clip = descent([
      "train",
      "--optimizer",
      "minibatch-cg",
      "--clip-norm",
      "1",
      "--dataset",
      "blobs",
      "--out",
      mkdtempSync(join(tmpdir(), "descent-cg-")),
    ]);
    assert.equal(clip.code, 2);
    assert.match(clip.stderr, /optimizer minibatch-cg: "clipNorm" applies to gradient-transformation optimizers/);
  });
});
