import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { numpy as np } from "@jax-js/jax";
import { startEngine } from "../../src/engine/index.js";
import { runFirstOrder } from "../../src/methods/index.js";
import { objectiveFromFunction, type ScalarFunction } from "../../src/problems/index.js";
import { bookNewton, conjugateGradient, lbfgs, newton, type OptimizeResult } from "../../src/solvers/index.js";
import { torch } from "../../src/optim/index.js";

/** Runs a solver on f from x0 and disposes the objective. */
const solve = (
  f: ScalarFunction,
  x0: number[],
  method: (o: ReturnType<typeof objectiveFromFunction>, x0: number[]) => OptimizeResult,
  opts: Parameters<typeof objectiveFromFunction>[2] = {},
) => {
  const objective = objectiveFromFunction(f, x0, opts);
  try {
    return method(objective, x0);
  } finally {
    objective.dispose();
  }
};
const bowl: ScalarFunction = (x) => np.square(x.sub(1)).sum();
const saddle: ScalarFunction = (x) =>
  np
    .square(x.ref.slice([0, 1]))
    .sub(np.square(x.slice([1, 2])))
    .sum();

describe("every solver's typed status (SolverRun.status), not parsed from its message", () => {
  before(() => startEngine());

  const expectStatus = (run: OptimizeResult, status: OptimizeResult["status"]) => {
    assert.equal(run.status, status, run.message);
    assert.equal(run.converged, status === "converged");
  };

  it("converged: ‖∇f‖₂ <= tol", () =>
    expectStatus(
      solve(bowl, [3, -2], (o, x) => lbfgs(o, x)),
      "converged",
    ));

  it("maxIter: the cap came first, and with `steps` when ‖∇f‖ is still above tol", () => {
    const rosen: ScalarFunction = (x) =>
      np
        .square(x.ref.slice([1, 2]).sub(np.square(x.ref.slice([0, 1]))))
        .mul(100)
        .add(np.square(x.slice([0, 1]).neg().add(1)))
        .sum();
    expectStatus(
      solve(rosen, [-1.2, 1], (o, x) => lbfgs(o, x, { maxIter: 2 })),
      "maxIter",
    );
    expectStatus(
      solve(rosen, [-1.2, 1], (o, x) => lbfgs(o, x, { steps: 2 })),
      "maxIter",
    );
    expectStatus(
      solve(bowl, [3, -2], (o, x) => newton(o, x, { steps: 1 })),
      "converged",
    );
  });

  it("lineSearchFailed: the exact CG step meets negative curvature", () =>
    expectStatus(
      solve(saddle, [1, 0.5], (o, x) => conjugateGradient(o, x, { lineSearch: "exact" })),
      "lineSearchFailed",
    ));

  it("nonFinite: f is NaN at x0 (a solver), or θ diverges (a first-order run)", () => {
    expectStatus(
      solve(
        (x) => np.log(x).sum(),
        [-1, 2],
        (o, x) => lbfgs(o, x),
      ),
      "nonFinite",
    );
    const run = solve(bowl, [3, -2], (o, x) =>
      runFirstOrder(torch.SGD({ lr: 5 }), o, Float64Array.from(x), { steps: 300 }),
    );
    expectStatus(run, "nonFinite");
  });

  it("negativeCurvature: plain damped Newton at a saddle-shaped Hessian, with no adaptive damping", () =>
    expectStatus(
      solve(saddle, [1, 0.5], (o, x) => newton(o, x, { adaptive: false })),
      "negativeCurvature",
    ));

  it("singularHessian: book.newton where H + αI is singular", () => {
    const flat: ScalarFunction = (x) => np.square(x.slice([0, 1])).sum();
    expectStatus(
      solve(flat, [1, 1], (o, x) => bookNewton(o, x, 0)),
      "singularHessian",
    );
  });

  it("noProgress: no damping helps when ∇f points the wrong way (a wrong user jac)", () => {
    const wrongJac = (x: np.Array) => x.sub(1).mul(-2);
    expectStatus(
      solve(bowl, [3, -2], (o, x) => newton(o, x), { jac: wrongJac }),
      "noProgress",
    );
  });
});
