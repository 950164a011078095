import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { precisionOf, startEngine, toDevice } from "../../src/engine/index.js";
import { symmetricEigen } from "../../src/linalg/index.js";
import { deepQuadraticHessian, suiteProblem } from "../../src/benchmark-suite/problems.js";

before(async () => {
  await startEngine();
});

describe("the suite's problems", () => {
  it("quadratic_deep's Hessian: 90 eigenvalues in (0, 1), 10 in (30, 60), symmetric", () => {
    const q = deepQuadraticHessian(100, 42);
    for (let i = 0; i < 100; i++)
      for (let j = 0; j < i; j++) assert.ok(Math.abs(q[i * 100 + j] - q[j * 100 + i]) < 1e-9);
    const values = [...symmetricEigen(q, 100).values].sort((a, b) => a - b);
    assert.ok(values.slice(0, 90).every((v) => v > 0 && v < 1));
    assert.ok(values.slice(90).every((v) => v > 30 && v < 60));
  });

  // Each model's output on a batch is each example's loss, by DeepOBS's formulas (float32 on the device).
  const cases: [string, (theta: number[], x: number[]) => number][] = [
    ["rosenbrock", ([u, v], [a, b]) => (1 - u) ** 2 + 100 * (v - u * u) ** 2 + u * a + v * b],
    [
      "beale",
      ([u, v], [a, b]) =>
        (1.5 - u + u * v) ** 2 + (2.25 - u + u * v ** 2) ** 2 + (2.625 - u + u * v ** 3) ** 2 + u * a + v * b,
    ],
  ];
  for (const [name, formula] of cases)
    it(`${name}: the loss of each example at the start point`, () => {
      const problem = suiteProblem(name as "rosenbrock");
      const precision = precisionOf("float32");
      const init = problem.model.init([0, 0], [2], precision);
      const x = toDevice(problem.train.x.subarray(0, 8), [4, 2], precision);
      const start = name === "rosenbrock" ? [-0.5, 1.5] : [-4.5, 4.5];
      const [out] = problem.model.apply(init.params, init.state, x, { train: true });
      const got = out.dataSync();
      for (let i = 0; i < 4; i++) {
        const want = formula(start, [problem.train.x[2 * i], problem.train.x[2 * i + 1]]);
        assert.ok(Math.abs(got[i] - want) <= 1e-5 * Math.abs(want), `${got[i]} vs ${want}`);
      }
    });
});
