import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  bestRates,
  ratesFor,
  rerunSweep,
  SMALL_LRS,
  tuningSweeps,
  type BenchmarkConfig,
} from "../../src/benchmark-suite/protocol.js";
import { costToTarget, scoreBenchmark } from "../../src/benchmark-suite/score.js";
import { expandTrials } from "../../src/sweep/trials.js";
import type { JournalRow } from "../../src/sweep/journal.js";

const CONFIG: BenchmarkConfig = {
  suite: "small",
  problems: ["quadratic_deep", "mlp"],
  methods: ["book.sgd", "book.adam", "lbfgs"],
  lrs: [0.01, 0.1],
  seeds: 3,
  budget: 1,
};

let n = 0;
/** A completed run whose curve falls from 10 at cost 0 along the given points. */
function row(
  problem: string,
  method: string,
  lr: number | undefined,
  seed: number,
  curve: [number, number | null][],
): JournalRow {
  const f = curve[curve.length - 1][1];
  return {
    trial: `t${n++}`,
    config: { budget: 1, problem, method, ...(lr === undefined ? {} : { lr }), seed },
    status: "completed",
    metrics: { problem, method, lr: lr ?? null, seed, f0: 10, f, curve: [[0, 10], ...curve], budgetEpochs: 4 },
    time: "",
  };
}

describe("the protocol's sweeps", () => {
  it("tunes every first-order method on every rate at seed 0; L-BFGS only where it applies, on every seed", () => {
    const [tune, lbfgs] = tuningSweeps(CONFIG);
    assert.equal(expandTrials(tune).length, 2 * 2 * 2);
    assert.deepEqual(tune.seeds, [0]);
    // L-BFGS runs on quadratic_deep only (the MLP's full gradients are too dear for the budget).
    assert.deepEqual(
      expandTrials(lbfgs).map((t) => [t.config.problem, t.config.seed]),
      [
        ["quadratic_deep", 0],
        ["quadratic_deep", 1],
        ["quadratic_deep", 2],
      ],
    );
  });

  it("tunes the CNN (reduced budget) on the grid's rates from 1e-3 to 0.1 only; the others on the whole grid", () => {
    assert.deepEqual(ratesFor("cnn", SMALL_LRS), [1e-3, 1e-2, 1e-1]);
    assert.deepEqual(ratesFor("mlp", SMALL_LRS), SMALL_LRS);
    assert.deepEqual(ratesFor("cnn", [10]), [10]);
  });

  it("picks the lowest final loss on seed 0 (diverged: last; a tie: the smaller rate), reruns it on seeds 1, 2", () => {
    const rows = [
      row("mlp", "book.sgd", 0.01, 0, [[1, 2]]),
      row("mlp", "book.sgd", 0.1, 0, [[1, 1]]),
      row("mlp", "book.sgd", 0.1, 1, [[1, 0.5]]), // another seed does not vote
      row("mlp", "book.adam", 0.01, 0, [[1, 3]]),
      row("mlp", "book.adam", 0.1, 0, [[1, null]]),
      row("quadratic_deep", "book.adam", 0.01, 0, [[1, 4]]),
      row("quadratic_deep", "book.adam", 0.1, 0, [[1, 4]]),
    ];
    const best = bestRates(rows);
    assert.deepEqual(Object.fromEntries(best), {
      "mlp book.sgd": 0.1,
      "mlp book.adam": 0.01,
      "quadratic_deep book.adam": 0.01,
    });
    const rerun = rerunSweep(CONFIG, best)!;
    assert.deepEqual(rerun.seeds, [1, 2]);
    assert.equal(expandTrials(rerun).length, 6);
  });
});

describe("scores", () => {
  it("time-to-target is the first curve point at or under the target", () => {
    const curve: [number, number | null][] = [
      [0, 10],
      [1, 5],
      [2, null],
      [3, 1],
    ];
    assert.equal(costToTarget(curve, 5), 1);
    assert.equal(costToTarget(curve, 2), 3);
    assert.equal(costToTarget(curve, 0.5), Infinity);
  });

  it("the tuned rate's runs: mean ± std, median time to f_L + τ(f0 − f_L), Infinity for an absent method", () => {
    const config = { ...CONFIG, problems: ["quadratic_deep" as const] };
    const rows = [
      row("quadratic_deep", "book.sgd", 0.01, 0, [
        [1, 0.15],
        [2, 0.5],
      ]),
      row("quadratic_deep", "book.sgd", 0.1, 0, [
        [1, 5],
        [2, 4],
      ]), // not tuned: does not count, not even for f_L
      row("quadratic_deep", "book.sgd", 0.01, 1, [
        [1, 0.9],
        [1.5, 0.18],
        [2, 0.7],
      ]),
      row("quadratic_deep", "book.sgd", 0.01, 2, [
        [1, 2],
        [2, 0.6],
      ]),
      row("quadratic_deep", "book.adam", 0.1, 0, [
        [1, 0.1],
        [2, 0.2],
      ]),
      row("quadratic_deep", "book.adam", 0.1, 1, [
        [1, 3],
        [2, 2],
      ]),
      row("quadratic_deep", "book.adam", 0.1, 2, [
        [1, 4],
        [2, 3],
      ]),
    ];
    const { scores, problems, costs } = scoreBenchmark(config, rows);
    assert.deepEqual(problems, [{ problem: "quadratic_deep", f0: 10, fL: 0.1, budgetEpochs: 4 }]);
    const sgd = scores.find((s) => s.method === "book.sgd")!;
    assert.equal(sgd.lr, 0.01);
    assert.equal(sgd.seeds, 3);
    assert.ok(Math.abs(sgd.mean - 0.6) < 1e-12);
    assert.ok(Math.abs(sgd.std - 0.1) < 1e-12);
    // τ = 1e-1: target 0.1 + 0.1·9.9 = 1.09: sgd's seeds reach it at 1, 1 and 2 (median 1); adam at 1 only (median ∞).
    // τ = 1e-2: target 0.199: sgd's seeds at 1, 1.5 and never (median 1.5); adam at 1 only.
    assert.deepEqual(sgd.timeToTarget, [1, 1.5]);
    const adam = scores.find((s) => s.method === "book.adam")!;
    assert.deepEqual(adam.timeToTarget, [Infinity, Infinity]);
    assert.deepEqual(costs[1], { "book.sgd": [1.5], "book.adam": [Infinity], lbfgs: [Infinity] });
  });

  it("the median over seeds: two of three seeds at the target give the later of their two times", () => {
    const config = { ...CONFIG, problems: ["quadratic_deep" as const], methods: ["book.adam"] };
    const rows = [
      row("quadratic_deep", "book.adam", 0.1, 0, [
        [1, 0],
        [2, 0],
      ]),
      row("quadratic_deep", "book.adam", 0.1, 1, [
        [1, 1],
        [2, 0.05],
      ]),
      row("quadratic_deep", "book.adam", 0.1, 2, [
        [1, 9],
        [2, 9],
      ]),
    ];
    const { scores, costs } = scoreBenchmark(config, rows);
    // f_L = 0, f0 = 10: τ = 1e-1 → target 1 (seeds at costs 1, 1, ∞ → median 1); τ = 1e-2 → 0.1 (1, 2, ∞ → 2).
    assert.deepEqual(scores[0].timeToTarget, [1, 2]);
    assert.deepEqual(costs[1], { "book.adam": [2] });
  });
});
