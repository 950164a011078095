import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { precisionOf, startEngine } from "../../src/engine/index.js";
import { allMethods, methodByName } from "../../src/methods/index.js";
import { loadProblem, Objective } from "../../src/problems/index.js";
import { SOLVER_NAMES } from "./names.js";

const precision = precisionOf("float64");
const rosenbrock = () => {
  const { problem } = loadProblem("rosenbrock", { precision, dim: 2 });
  return { objective: new Objective(problem, precision), x0: problem.x0 };
};

describe("descent optimize's solver methods", () => {
  before(() => startEngine());

  it("registers every solver and reference name", () => {
    const names = Object.keys(allMethods());
    for (const name of SOLVER_NAMES) assert.ok(names.includes(name), `${name} missing`);
  });

  it("every method honours --steps (exactly K iterations, a trajectory of K points) and --max-iter", () => {
    for (const name of SOLVER_NAMES) {
      const { objective, x0 } = rosenbrock();
      const config = name.startsWith("book.cg") ? { lineSearch: "strong-wolfe" } : {};
      const stepped = methodByName(name).run(objective, x0, config, { steps: 3, recordTrajectory: true });
      assert.equal(stepped.iterations, 3, `${name}: ${stepped.message}`);
      assert.equal(stepped.trajectory!.length, 3, name);
      assert.deepEqual(Array.from(stepped.trajectory![2]), Array.from(stepped.x), name);
      assert.match(stepped.message, /ran the requested 3 iterations/);
      const capped = methodByName(name).run(rosenbrock().objective, x0, config, { maxIter: 2 });
      assert.equal(capped.iterations, 2, name);
      assert.equal(capped.converged, false, name);
      assert.match(capped.message, /reached the iteration limit \(2\)/, name);
    }
  });

  it("stops on --tol and reports SciPy's counts", () => {
    const { objective, x0 } = rosenbrock();
    const loose = methodByName("bfgs").run(objective, x0, {}, { tol: 1e-2 });
    assert.ok(loose.converged && loose.gradNorm <= 1e-2 && loose.gradNorm > 1e-5, `${loose.gradNorm}`);
    assert.equal(loose.gevals, objective.counts.gevals);
    assert.equal(loose.fevals, objective.counts.fevals);
  });

  it("names the offending key of a bad config", () => {
    const { objective, x0 } = rosenbrock();
    assert.throws(
      () => methodByName("lbfgs").run(objective, x0, { memroy: 5 }, {}),
      /lbfgs: unknown config key "memroy" \(known: memory, c1, c2\)/,
    );
    assert.throws(() => methodByName("lbfgs").run(objective, x0, { memory: 0 }, {}), /lbfgs: config "memory"/);
    assert.throws(
      () => methodByName("book.newton").run(objective, x0, { damping: "lots" }, {}),
      /book.newton: config "damping" expected number/,
    );
    assert.throws(
      () => methodByName("cg-pr").run(objective, x0, { lineSearch: "wolfe" }, {}),
      /cg-pr: config "lineSearch"/,
    );
  });
});
