import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { disposeTree, precisionOf, startEngine } from "../../src/engine/index.js";
import { gaussianBlobs } from "../../src/data/index.js";
import { mlp } from "../../src/nn/index.js";
import { book } from "../../src/optim/index.js";
import { train } from "../../src/train/index.js";
import {
  difficultyFromLength,
  difficultyFromTeacherLoss,
  easyToHard,
  linearShare,
  stagedCurriculum,
  stochasticCurriculum,
} from "../../src/strategies/curriculum.js";

const { adam } = book;

const precision = precisionOf("float32");

describe("curriculum learning", () => {
  before(async () => startEngine());

  it("deterministic curriculum: each stage draws only from its easiest share, a fixed number of batches", () => {
    const difficulty = Float64Array.from({ length: 100 }, (_, i) => (i * 37) % 100); // a permutation of 0..99
    const sampler = stagedCurriculum({ difficulty, batchSize: 16, stages: 4, epochsPerStage: 2, seed: 1 });
    for (let epoch = 0; epoch < 10; epoch++) {
      const batches = sampler(epoch);
      assert.equal(batches.length, 7);
      const limit = Math.min(4, Math.floor(epoch / 2) + 1) * 25; // stage s: difficulties below (s+1)·25
      const seen = batches.flatMap((b) => Array.from(b, (i) => difficulty[i]));
      assert.equal(seen.length, 100);
      assert.ok(Math.max(...seen) < limit, `epoch ${epoch}: difficulty ${Math.max(...seen)} beyond ${limit}`);
      // Within a pass over the pool there are no repeats: every pool member appears.
      assert.equal(new Set(seen).size, Math.min(100, limit));
    }
    assert.deepEqual(Array.from(sampler(3)[0]), Array.from(sampler(3)[0]), "a pure function of the epoch");
  });

  it("stochastic curriculum: the share of hard examples follows its schedule within binomial error", () => {
    const difficulty = difficultyFromLength(Array.from({ length: 1000 }, (_, i) => 5 + (i % 50)));
    const schedule = linearShare(0.1, 0.9, 4);
    const sampler = stochasticCurriculum({ difficulty, hardShare: schedule, batchSize: 50, seed: 7 });
    assert.equal(
      sampler.hard.reduce((a, h) => a + h, 0),
      500,
    ); // above the median length 29.5
    for (let epoch = 0; epoch < 6; epoch++) {
      const batches = sampler(epoch);
      assert.equal(batches.length, 20);
      let hard = 0;
      let expected = 0;
      let variance = 0;
      batches.forEach((batch, b) => {
        const p = schedule(epoch + b / batches.length);
        for (const i of batch) hard += sampler.hard[i];
        expected += p * batch.length;
        variance += p * (1 - p) * batch.length;
      });
      assert.ok(
        Math.abs(hard - expected) < 4 * Math.sqrt(variance),
        `epoch ${epoch}: ${hard} hard, expected ${expected.toFixed(1)} ± ${Math.sqrt(variance).toFixed(1)}`,
      );
    }
    assert.throws(
      () => stochasticCurriculum({ difficulty: [1, 1, 1], hardShare: () => 0.5, batchSize: 2, seed: 1 }),
      /both groups must be non-empty/,
    );
  });

  it(
    "difficulty from a teacher's loss orders the examples the teacher finds hardest last; the Trainer accepts a " +
      "curriculum",
    async () => {
      const data = gaussianBlobs({ count: 200, classes: 2, dim: 2, spread: 1.5, key: 3 });
      const teacher = mlp(2, { width: 8, depth: 1 });
      const fitted = await train({
        model: teacher,
        train: data,
        optimizer: adam(0.05),
        epochs: 3,
        batchSize: 50,
        seed: 1,
        precision,
      });
      const difficulty = difficultyFromTeacherLoss(teacher, fitted.params, fitted.modelState, data, precision);
      assert.equal(difficulty.length, 200);
      assert.ok(difficulty.every((d) => d > 0));
      // The mean of the per-example losses is the teacher's training loss (computed another way by evaluate).
      const evaluated = await train({
        model: teacher,
        train: data,
        validation: data,
        optimizer: adam(0.05),
        epochs: 3,
        batchSize: 50,
        seed: 1,
        precision,
      });
      assert.ok(Math.abs(difficulty.reduce((a, b) => a + b, 0) / 200 - evaluated.validation!.loss) < 1e-6);
      const order = easyToHard(difficulty);
      assert.ok(difficulty[order[0]] <= difficulty[order[199]]);
      const sampler = stagedCurriculum({ difficulty, batchSize: 50, stages: 2, epochsPerStage: 1, seed: 2 });
      const asked: number[] = [];
      const result = await train({
        model: mlp(2, { width: 8, depth: 1 }),
        train: data,
        optimizer: adam(0.05),
        epochs: 2,
        batchSize: 50,
        seed: 4,
        precision,
        sampler: (e) => (asked.push(e), sampler(e)),
      });
      assert.deepEqual([...new Set(asked)], [0, 1]);
      assert.ok(
        sampler(0).every((b) => b.every((i) => difficulty[i] <= difficulty[order[99]])),
        "stage 0 holds the easier half only",
      );
      assert.equal(result.steps, 8);
      for (const r of [fitted, evaluated, result]) disposeTree(r.params), disposeTree(r.modelState);
    },
  );
});
