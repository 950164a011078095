import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { precisionOf, startEngine } from "../../src/engine/index.js";
import { MGH_FUNCTIONS, mghProblem } from "../../src/problems/mgh/index.js";
import { Objective } from "../../src/problems/objective.js";

interface Entry {
  id: number;
  name: string;
  n: number;
  m: number;
  x0: number[];
  f: Record<string, number | null>;
  grad0: number[];
  xstar?: number[];
  fxstar?: number;
}

const fixture = JSON.parse(readFileSync(fileURLToPath(new URL("../fixtures/mgh-values.json", import.meta.url)), "utf8"))
  .problems as Entry[];
const precision = precisionOf("float64");

/** |a − b| <= rtol·|b| + atol. */
const close = (a: number, b: number, rtol: number, atol = 0) => Math.abs(a - b) <= rtol * Math.abs(b) + atol;

describe("the Moré–Garbow–Hillstrom set against numpy float64 (test/fixtures/gen/mgh_values.py)", () => {
  before(() => startEngine());

  it("has all 35 functions, in the paper's order, with the fixture's n, m and x0", () => {
    assert.deepEqual(
      MGH_FUNCTIONS.map((fn) => fn.id),
      Array.from({ length: 35 }, (_, i) => i + 1),
    );
    for (const entry of fixture) {
      const fn = MGH_FUNCTIONS[entry.id - 1];
      assert.equal(fn.name, entry.name);
      assert.equal(fn.n, entry.n, entry.name);
      assert.equal(fn.m(fn.n), entry.m, entry.name);
      fn.x0(fn.n).forEach((v, i) =>
        assert.ok(close(v, entry.x0[i], 1e-14), `${entry.name} x0[${i}]: ${v} vs ${entry.x0[i]}`),
      );
    }
  });

  it("f at x0, 10·x0 and 100·x0 matches to 1e-12 relative (exact cpu float64)", () => {
    for (const entry of fixture) {
      for (const scale of [1, 10, 100]) {
        const expected = entry.f[String(scale)];
        if (expected === null) continue; // overflowed in numpy too
        const objective = new Objective(mghProblem(entry.name, { precision, scale }), precision);
        const value = objective.value(objective.problem.x0);
        objective.dispose();
        // atol: at gulf's 10·x0 = x* both give rounding noise (~1e-30) for f* = 0.
        assert.ok(close(value, expected, 1e-12, 1e-20), `${entry.name} at ${scale}·x0: ${value} vs numpy ${expected}`);
      }
    }
  });

  it("f at the published minimizers matches numpy, and equals the published f* there", () => {
    let checked = 0;
    for (const entry of fixture.filter((e) => e.xstar)) {
      const problem = mghProblem(entry.name, { precision });
      assert.deepEqual(Array.from(problem.solution!.x!), entry.xstar, entry.name);
      const objective = new Objective(problem, precision);
      const value = objective.value(entry.xstar!);
      objective.dispose();
      assert.ok(close(value, entry.fxstar!, 1e-12, 1e-20), `${entry.name}: f(x*) = ${value} vs numpy ${entry.fxstar}`);
      // Minimizers printed with 4 digits (powell-badly-scaled, jennrich-sampson) give f* only to those digits.
      assert.ok(
        close(value, problem.solution!.f!, 1e-4, 1e-7),
        `${entry.name}: f(x*) = ${value} vs published f* ${problem.solution!.f}`,
      );
      checked++;
    }
    assert.equal(checked, 19);
  });

  it("autodiff gradients at x0 match numpy's complex-step gradients to 1e-10 relative", () => {
    for (const entry of fixture) {
      const objective = new Objective(mghProblem(entry.name, { precision }), precision);
      const [, g] = objective.valueAndGrad(entry.x0);
      objective.dispose();
      const scale = Math.max(...entry.grad0.map(Math.abs), 1e-300);
      g.forEach((v, i) =>
        assert.ok(
          close(v, entry.grad0[i], 1e-10, 1e-10 * scale),
          `${entry.name} ∂f/∂x${i + 1}: ${v} vs ${entry.grad0[i]}`,
        ),
      );
    }
  });

  it(
    "variable dimensions build at other n (watson n = 9 gives the paper's start value 30) and bad n is " + "refused",
    () => {
      const objective = new Objective(mghProblem("watson", { precision, n: 9 }), precision);
      assert.equal(objective.value(objective.problem.x0), 30);
      assert.equal(objective.problem.solution?.f, 1.39976e-6);
      objective.dispose();
      assert.throws(
        () => mghProblem("extended-rosenbrock", { precision, n: 7 }),
        /n = 7 is not allowed \(2\.\.1000, a multiple of 2\)/,
      );
      assert.throws(() => mghProblem("wood", { precision, n: 5 }), /n = 5 is not allowed \(4 only\)/);
      assert.throws(() => mghProblem("nope", { precision }), /unknown MGH function "nope"/);
    },
  );
});
