import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  costTable,
  dataProfile,
  evaluationsToSolve,
  performanceProfile,
  profileRatios,
  referenceValue,
  type Outcome,
} from "../../src/benchmark/profiles.js";

const outcome = (c: string, solver: string, trace: [number, number][], gradNorm = 1): Outcome => ({
  case: c,
  solver,
  f0: trace[0][1],
  f: trace[trace.length - 1][1],
  gradNorm,
  gevals: trace[trace.length - 1][0],
  trace,
});

describe("performance and data profiles (Dolan & Moré 2002, Moré & Wild 2009)", () => {
  it("a run solves at the first point with f − f* <= τ(f0 − f*), counted in gradient evaluations", () => {
    const run = outcome("p", "a", [
      [1, 101],
      [3, 11],
      [5, 1.1],
      [9, 1.0000001],
    ]);
    assert.equal(evaluationsToSolve(run, 1, 1e-1), 3); // target 1 + 10 = 11
    assert.equal(evaluationsToSolve(run, 1, 1e-3), 5); // target 1.1
    assert.equal(evaluationsToSolve(run, 1, 1e-7), 9); // target 1.00001
    assert.equal(evaluationsToSolve(run, 1, 1e-10), Infinity); // target 1.00000001
  });

  it("without f*, solved means the run ended with ‖g‖ <= 1e-5 (all its evaluations count)", () => {
    assert.equal(
      evaluationsToSolve(
        outcome(
          "p",
          "a",
          [
            [1, 5],
            [7, 2],
          ],
          1e-6,
        ),
        undefined,
        1e-7,
      ),
      7,
    );
    assert.equal(
      evaluationsToSolve(
        outcome(
          "p",
          "a",
          [
            [1, 5],
            [7, 2],
          ],
          1e-4,
        ),
        undefined,
        1e-7,
      ),
      Infinity,
    );
  });

  it(
    "f_L: a lower value found replaces f*; so does one matching a printed f* to six digits; otherwise f* " + "stands",
    () => {
      const runs = (f: number) => [
        outcome("p", "a", [
          [1, 200],
          [4, f],
        ]),
      ];
      assert.equal(referenceValue(124.362, runs(124.3617)), 124.3617);
      assert.equal(referenceValue(124.362, runs(124.36227)), 124.36227);
      assert.equal(referenceValue(124.362, runs(124.5)), 124.362);
      assert.equal(referenceValue(0, runs(1e-30)), 0);
      assert.equal(referenceValue(undefined, runs(3)), undefined);
    },
  );

  it("profiles from a cost table: ρ_s(α) and d_s(κ) by hand", () => {
    // Problem costs: solver a = [10, 40, ∞], b = [20, 20, 30].
    const cases = [
      { id: "p1", fstar: 0 },
      { id: "p2", fstar: 0 },
      { id: "p3", fstar: 0 },
    ];
    const outcomes = [
      outcome("p1", "a", [
        [1, 1],
        [10, 0],
      ]),
      outcome("p2", "a", [
        [1, 1],
        [40, 0],
      ]),
      outcome("p3", "a", [
        [1, 1],
        [50, 0.5],
      ]),
      outcome("p1", "b", [
        [1, 1],
        [20, 0],
      ]),
      outcome("p2", "b", [
        [1, 1],
        [20, 0],
      ]),
      outcome("p3", "b", [
        [1, 1],
        [30, 0],
      ]),
    ];
    const costs = costTable(cases, outcomes, 1e-7);
    assert.deepEqual(costs, { a: [10, 40, Infinity], b: [20, 20, 30] });
    assert.deepEqual(performanceProfile(costs, [1, 2, 4]), [
      { ratio: 1, a: 1 / 3, b: 2 / 3 },
      { ratio: 2, a: 2 / 3, b: 1 },
      { ratio: 4, a: 2 / 3, b: 1 },
    ]);
    assert.deepEqual(dataProfile(costs, [10, 20, 40]), [
      { budget: 10, a: 1 / 3, b: 0 },
      { budget: 20, a: 1 / 3, b: 2 / 3 },
      { budget: 40, a: 2 / 3, b: 1 },
    ]);
    assert.deepEqual(profileRatios(costs, 64), [1, 2, 64]);
  });
});
