import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { precisionOf, startEngine } from "../../src/engine/index.js";
import { methodByName } from "../../src/methods/index.js";
import { loadProblem, Objective } from "../../src/problems/index.js";

const precision = precisionOf("float64");
const rosenbrock = (dim: number) => {
  const { problem } = loadProblem("rosenbrock", { precision, dim });
  return { objective: new Objective(problem, precision), x0: problem.x0 };
};
/** The iterations after which ρ was reset to −g (β = 0 in the history). */
const resets = (history: Record<string, number>[]) => history.filter((h) => h.beta === 0).map((h) => h.iteration);

describe("book.cg_fr / book.cg_pr: Alg. 8.9 with the book's periodic resets (8.6.2)", () => {
  before(() => startEngine());

  it("resets along −g every n iterations by default, and the resets are what make Fletcher–Reeves converge", () => {
    const { objective, x0 } = rosenbrock(6);
    const run = methodByName("book.cg_fr").run(objective, x0, {}, { steps: 18 });
    // With strong Wolfe (c2 = 0.1 < 1/2) every FR direction is a
    // descent direction: the only resets are the periodic ones.
    assert.deepEqual(resets(run.history!), [6, 12, 18]);
    const converged = methodByName("book.cg_fr").run(rosenbrock(6).objective, x0, {}, {});
    assert.equal(converged.converged, true, converged.message);
    assert.ok(converged.f < 1e-10, `f = ${converged.f}`);
  });

  it("restartEvery: 0 turns the resets off (Alg. 8.9 with no reset), and FR then stalls in the valley", () => {
    const { objective, x0 } = rosenbrock(6);
    const run = methodByName("book.cg_fr").run(objective, x0, { restartEvery: 0 }, { maxIter: 200 });
    assert.deepEqual(resets(run.history!), []);
    assert.equal(run.converged, false);
    const every3 = methodByName("book.cg_pr").run(rosenbrock(6).objective, x0, { restartEvery: 3 }, { steps: 9 });
    assert.deepEqual(resets(every3.history!), [3, 6, 9]);
  });

  it("rejects a bad restartEvery, naming it", () => {
    const { objective, x0 } = rosenbrock(2);
    assert.throws(() => methodByName("book.cg_fr").run(objective, x0, { restartEvery: -1 }, {}), /restartEvery/);
  });
});
