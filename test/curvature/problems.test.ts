import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { grad } from "@jax-js/jax";
import { random, startEngine, toDevice } from "../../src/engine/index.js";
import { loadProblem, Objective } from "../../src/problems/index.js";
import { curvatureAt, objectiveHessian } from "../../src/curvature/index.js";
import { F64, denseEigenvalues, maxRelError, normRelError } from "./helpers.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

describe("Hessian-vector products of flat problems (float64)", () => {
  before(() => startEngine());

  for (const spec of [
    `${fixture("scipy-suite.json")}#rosenbrock10`,
    `${fixture("scipy-suite.json")}#logistic`,
    fixture("trajectories-mlp.json"),
    "beale",
    "himmelblau",
  ]) {
    it(`${spec.split("/").pop()}: Hv matches H·v and central differences of the gradient`, () => {
      const { problem } = loadProblem(spec, { precision: F64 });
      const obj = new Objective(problem, F64);
      const n = problem.dim;
      const x = Float64Array.from(problem.x0, (v, i) => v + 0.3 * Math.cos(i + 2));
      const v = random.normal(random.randomKey(n), n);
      const hv = objectiveHessian(obj, x).apply(v);
      const H = obj.hessian(x);
      const dense = Float64Array.from({ length: n }, (_, i) => v.reduce((s, vj, j) => s + H[i * n + j] * vj, 0));
      // Eager gradients: exact in float64 (jit rounds some constants to float32, ~5e-8 on logistic).
      const gradAt = (p: Float64Array) =>
        Float64Array.from(grad(problem.f)(toDevice(p, [n], F64)).dataSync() as ArrayLike<number>);
      const h = 1e-5;
      const [gp, gm] = [gradAt(x.map((t, i) => t + h * v[i])), gradAt(x.map((t, i) => t - h * v[i]))];
      const fd = gp.map((g, i) => (g - gm[i]) / (2 * h));
      assert.ok(normRelError(hv, dense) < 1e-12, `vs H·v: ${normRelError(hv, dense)}`);
      assert.ok(normRelError(hv, fd) < 1e-7, `vs finite differences: ${normRelError(hv, fd)}`);
      console.log(
        `${problem.name}: Hv vs H·v ${normRelError(hv, dense).toExponential(2)}, vs central differences ` +
          `${normRelError(hv, fd).toExponential(2)}`,
      );
      obj.dispose();
      problem.dispose();
    });
  }
});

describe("curvatureAt on the quadratic specs", () => {
  before(() => startEngine());

  for (const spec of [fixture("trajectories-quadratic.json"), `${fixture("scipy-suite.json")}#quadratic-cond1e4`]) {
    it(`${spec.split("/").pop()}: top 3 / bottom 3 match a dense eigh of A to 1e-8`, () => {
      const { problem } = loadProblem(spec, { precision: F64 });
      const obj = new Objective(problem, F64);
      const n = problem.dim;
      // The Hessian of ½θᵀAθ − bᵀθ is A, read from the file.
      const json = JSON.parse(readFileSync(spec.split("#")[0], "utf8"));
      const quadratic = json.problems
        ? json.problems.find((p: { name: string }) => p.name === spec.split("#")[1]).problem
        : json.problem;
      let t = performance.now();
      const eig = denseEigenvalues((quadratic.A as number[][]).flat(), n);
      const eighMs = performance.now() - t;
      t = performance.now();
      const r = curvatureAt(obj, problem.x0, { top: 3, bottom: 3 });
      const ms = performance.now() - t;
      const topErr = maxRelError(r.top, eig.slice(-3).reverse());
      const bottomErr = maxRelError(r.bottom, eig.slice(0, 3));
      assert.ok(
        topErr < 1e-8 && bottomErr < 1e-8,
        `top ${r.top} vs ${eig.slice(-3)}; bottom ${r.bottom} vs ${eig.slice(0, 3)}`,
      );
      assert.ok(r.converged);
      assert.equal(r.point.kind, "not-critical");
      assert.ok(Math.abs(r.condition! / (eig[n - 1] / eig[0]) - 1) < 1e-8);
      console.log(
        `${problem.name} (n = ${n}): eigenvalue error top ${topErr.toExponential(2)}, bottom ` +
          `${bottomErr.toExponential(2)}, ${r.hvps} HVPs in ${ms.toFixed(0)} ms (dense eigh ${eighMs.toFixed(0)} ms)`,
      );
      obj.dispose();
      problem.dispose();
    });
  }
});
