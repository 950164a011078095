import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { gemmStatus, precisionOf, startEngine } from "../../src/engine/index.js";
import { ObjectiveLine } from "../../src/linesearch/index.js";
import { solverMethods } from "../../src/methods/solvers.js";
import { loadProblem, Objective } from "../../src/problems/index.js";

const SUITE = fileURLToPath(new URL("../fixtures/scipy-suite.json", import.meta.url));
const precision = precisionOf("float64");
const logistic = () => loadProblem(`${SUITE}#logistic`, { precision }).problem;
const point = (seed: number) => Float64Array.from({ length: 20 }, (_, i) => Math.sin(seed + i) / 4);

describe("Objective.valueExpectingGradient", () => {
  before(() => startEngine());

  it("costs one compiled call for f and ∇f, counted as value() then valueAndGrad()", () => {
    const problem = logistic();
    const ahead = new Objective(problem, precision);
    const plain = new Objective(problem, precision);
    const x = point(1);
    const runs = gemmStatus().programRuns;
    const f = ahead.valueExpectingGradient(x);
    assert.deepEqual(ahead.counts, { fevals: 1, gevals: 0, hevals: 0, hvps: 0 }, "∇f is not counted until asked for");
    const [f2, g] = ahead.valueAndGrad(x);
    assert.equal(gemmStatus().programRuns - runs, 1, "one jit call for both");
    assert.deepEqual(ahead.counts, { fevals: 1, gevals: 1, hevals: 0, hvps: 0 });
    assert.equal(f2, f);
    const [fPlain, gPlain] = plain.valueAndGrad(x);
    assert.equal(f, fPlain, "f of the value-and-gradient program");
    assert.deepEqual(g, gPlain);
    problem.dispose();
  });

  it("at a point whose f is known, computes nothing and counts nothing", () => {
    const problem = logistic();
    const obj = new Objective(problem, precision);
    const x = point(3);
    const f = obj.value(x);
    const runs = gemmStatus().programRuns;
    assert.equal(obj.valueExpectingGradient(x), f);
    assert.equal(gemmStatus().programRuns, runs);
    assert.deepEqual(obj.counts, { fevals: 1, gevals: 0, hevals: 0, hvps: 0 });
    obj.valueAndGrad(x);
    assert.deepEqual(obj.counts, { fevals: 1, gevals: 1, hevals: 0, hvps: 0 });
    problem.dispose();
  });

  it("is what a gradientLikely ObjectiveLine uses; without it (or the flag) the line asks value()", () => {
    const calls: string[] = [];
    const evaluator = {
      counts: { fevals: 0, gevals: 0 },
      value: (x: ArrayLike<number>) => (calls.push("value"), x[0] ** 2),
      valueAndGrad: (x: ArrayLike<number>): [number, Float64Array] => [x[0] ** 2, Float64Array.of(2 * x[0])],
      valueExpectingGradient: (x: ArrayLike<number>) => (calls.push("ahead"), x[0] ** 2),
    };
    const x = Float64Array.of(1);
    const p = Float64Array.of(-1);
    assert.equal(new ObjectiveLine(evaluator, x, p, { gradientLikely: true }).value(0.5), 0.25);
    assert.equal(new ObjectiveLine(evaluator, x, p).value(0.5), 0.25);
    const { valueExpectingGradient: _, ...withoutAhead } = evaluator;
    assert.equal(new ObjectiveLine(withoutAhead, x, p, { gradientLikely: true }).value(0.5), 0.25);
    assert.deepEqual(calls, ["ahead", "value", "value"]);
  });

  it("L-BFGS on the logistic problem: one jit call per evaluation, SciPy's 15 gradients", () => {
    const problem = logistic();
    const obj = new Objective(problem, precision);
    const runs = gemmStatus().programRuns;
    const result = solverMethods.lbfgs.run(obj, Float64Array.from(problem.x0), {}, {});
    assert.equal(result.gevals, 15);
    assert.equal(result.fevals, 15);
    assert.equal(gemmStatus().programRuns - runs, 15, "f and ∇f of every trial in one compiled call");
    problem.dispose();
  });
});
