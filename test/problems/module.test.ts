import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { precisionOf, startEngine } from "../../src/engine/index.js";
import { allMethods } from "../../src/methods/index.js";
import { loadAnyProblem, loadObjectiveModule, Objective } from "../../src/problems/index.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/objectives/${name}`, import.meta.url));
const precision = precisionOf("float64");

describe("user objectives from a module (default export { x0, f(x, np), grad?, hessp? })", () => {
  before(() => startEngine());

  it("bowl.mjs: f, autodiff gradient and Hessian at x0 match the formulas (d = x0 − c = (2, −4, −2))", async () => {
    const objective = new Objective(await loadObjectiveModule(fixture("bowl.mjs"), precision), precision);
    const [f, g] = objective.valueAndGrad(objective.problem.x0);
    // f = Σd² + Σd⁴ = 24 + 288; ∇f = 2d + 4d³; H = diag(2 + 12d²).
    assert.equal(f, 312);
    assert.deepEqual(Array.from(g), [36, -264, -36]);
    assert.deepEqual(Array.from(objective.hessian(objective.problem.x0)), [50, 0, 0, 0, 194, 0, 0, 0, 50]);
    objective.dispose();
  });

  it("bowl-grad.ts: TypeScript, with grad and hessp by hand, gives the same numbers as autodiff", async () => {
    const problem = await loadObjectiveModule(fixture("bowl-grad.ts"), precision);
    assert.equal(problem.name, "bowl-grad");
    const objective = new Objective(problem, precision);
    assert.deepEqual(
      objective.valueAndGrad(problem.x0).map((v) => (typeof v === "number" ? v : Array.from(v))),
      [312, [36, -264, -36]],
    );
    assert.deepEqual(Array.from(objective.hvp(problem.x0, [0, 1, 0])), [0, 194, 0]);
    objective.dispose();
  });

  it("every solver and every first-order method of `descent optimize` runs on it and lowers f", async () => {
    const methods = allMethods();
    const names = Object.keys(methods);
    assert.ok(names.length >= 25, `only ${names.length} methods`);
    for (const name of names) {
      const objective = new Objective(await loadObjectiveModule(fixture("bowl.mjs"), precision), precision);
      // Coordinate descent's default exact rule needs a quadratic; the line-search rule suits any f.
      const config = name === "coordinate-descent" ? { rule: "line-search" } : {};
      // First-order methods run maxIter steps; solvers stop earlier on tol.
      const result = methods[name].run(objective, Float64Array.from(objective.problem.x0), config, {
        maxIter: 200,
        tol: 1e-8,
      });
      objective.dispose();
      assert.ok(Number.isFinite(result.f) && result.f < 312, `${name}: f = ${result.f} (${result.message})`);
    }
  });

  it("--problem mgh:NAME builds an MGH function (n from --dim); an unknown name is refused", async () => {
    const { problem } = await loadAnyProblem("mgh:watson", { precision, dim: 9 });
    assert.equal(problem.dim, 9);
    assert.equal(problem.solution?.f, 1.39976e-6);
    const objective = new Objective(problem, precision);
    assert.equal(objective.value(problem.x0), 30);
    objective.dispose();
    await assert.rejects(loadAnyProblem("mgh:nope", { precision }), /unknown MGH function "nope"/);
  });

  it(
    "a module that throws, returns a non-scalar, NaN, or has no default export is refused with a message naming the " +
      "file",
    async () => {
      const cases: [string, RegExp][] = [
        ["throws.mjs", /throws\.mjs: f threw at x0: the model file is missing$/],
        ["vector.mjs", /vector\.mjs: f must return a scalar, got an array of shape \[2\]$/],
        ["nan.mjs", /nan\.mjs: f\(x0\) is NaN$/],
        ["no-default.mjs", /no-default\.mjs: has no default export object \{ x0, f \}$/],
        ["missing.mjs", /missing\.mjs: no such file$/],
      ];
      for (const [file, message] of cases) await assert.rejects(loadObjectiveModule(fixture(file), precision), message);
    },
  );
});
