import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { precisionOf, startEngine } from "../../src/engine/index.js";
import { loadProblem, Objective, quadraticProblem } from "../../src/problems/index.js";
import { bookNewton, newton } from "../../src/solvers/index.js";

const precision = precisionOf("float64");
const objectiveOf = (name: string) => {
  const { problem } = loadProblem(name, { precision });
  return { objective: new Objective(problem, precision), x0: problem.x0 };
};

describe("Newton's method (Alg. 8.8, eq. 8.28)", () => {
  before(() => startEngine());

  it("reports negative curvature instead of stepping when H + αI is not positive definite", () => {
    const { objective, x0 } = objectiveOf("saddle");
    const result = newton(objective, x0, { adaptive: false });
    assert.equal(result.converged, false);
    assert.equal(result.iterations, 0);
    assert.match(result.message, /negative curvature: H \+ αI \(α = 0\) is not positive definite at iteration 1 /);
    assert.match(result.message, /\(smallest eigenvalue of H -2\.000\); use adaptive damping or saddle-free Newton$/);
    assert.deepEqual(Array.from(result.x), Array.from(x0));
  });

  it("the book's update is attracted to the saddle point, saddle-free Newton is repelled by it (8.2.3)", () => {
    const book = objectiveOf("saddle");
    const toSaddle = bookNewton(book.objective, book.x0, 0, { steps: 1 });
    assert.ok(Math.hypot(toSaddle.x[0], toSaddle.x[1]) < 1e-15, `book Newton lands on the saddle: ${toSaddle.x}`);
    assert.equal(toSaddle.gradNorm, 0);
    const free = objectiveOf("saddle");
    const escaped = newton(free.objective, free.x0, {
      saddleFree: true,
      adaptive: false,
      steps: 4,
      recordTrajectory: true,
    });
    const ys = escaped.trajectory!.map((t) => Math.abs(t[1]));
    ys.forEach((y, k) => assert.ok(y > (k ? ys[k - 1] : Math.abs(free.x0[1])), `|y| grows: ${ys}`));
    assert.ok(escaped.f < free.objective.value(free.x0));
  });

  it(
    "Levenberg-Marquardt raises α where H is indefinite and still converges (himmelblau from its local maximum's " +
      "basin)",
    () => {
      const { objective, x0 } = objectiveOf("himmelblau");
      const result = newton(objective, x0);
      assert.ok(result.converged, result.message);
      assert.ok(result.f < 1e-12, `f = ${result.f}`);
      assert.match(result.message, /H was not positive definite at \d+ iterations/);
      assert.ok(result.history!.some((h) => h.damping > 0));
    },
  );

  it("fixed damping takes exactly θ − (H + αI)⁻¹g", () => {
    // f = ½θᵀAθ − bᵀθ with A = diag(2, 4): from 0, g = −b, the step is b_i/(A_ii + α).
    const problem = quadraticProblem(
      [
        [2, 0],
        [0, 4],
      ],
      [1, 1],
      precision,
    );
    const objective = new Objective(problem, precision);
    const result = newton(objective, new Float64Array(2), { damping: 1, adaptive: false, steps: 1 });
    assert.ok(Math.abs(result.x[0] - 1 / 3) < 1e-15 && Math.abs(result.x[1] - 1 / 5) < 1e-15, `${result.x}`);
    assert.equal(result.hevals, 1);
  });

  it("rejects a negative damping", () => {
    const { objective, x0 } = objectiveOf("coupled");
    assert.throws(() => newton(objective, x0, { damping: -1 }), /damping must be >= 0/);
    assert.throws(() => bookNewton(objective, x0, -1), /damping must be >= 0/);
  });
});
