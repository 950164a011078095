import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { descent } from "./run.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const reference = (file: string, algorithm: string) =>
  (JSON.parse(readFileSync(fixture(file), "utf8")).runs as { algorithm: string; trajectory: number[][] }[]).find(
    (r) => r.algorithm === algorithm,
  )!.trajectory;

/** Runs `descent optimize … --json --trajectory FILE` and returns the summary and the written trajectory. */
function optimize(args: string[]) {
  const out = join(mkdtempSync(join(tmpdir(), "descent-solvers-")), "trajectory.json");
  const run = descent(["optimize", ...args, "--json", "--trajectory", out]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout.trim().split("\n").length, 1, run.stdout);
  return {
    summary: JSON.parse(run.stdout),
    trajectory: JSON.parse(readFileSync(out, "utf8")).trajectory as number[][],
  };
}

const worstDeviation = (ours: number[][], ref: number[][], steps = ref.length) =>
  Math.max(
    ...ours
      .slice(0, steps)
      .map((t, k) => Math.max(...t.map((v, i) => Math.abs(v - ref[k][i]))) / (1 + Math.max(...ref[k].map(Math.abs)))),
  );

describe("descent optimize with the solvers (end to end, through the built binary)", () => {
  it("book.cg_fr and book.cg_pr with the exact step reproduce their reference trajectories", () => {
    for (const name of ["book.cg_fr", "book.cg_pr"]) {
      const { summary, trajectory } = optimize([
        "--problem",
        fixture("trajectories-quadratic.json"),
        "--method",
        name,
        "--config",
        '{"lineSearch": "exact (quadratic)"}',
        "--steps",
        "10",
      ]);
      assert.equal(summary.iterations, 10);
      assert.equal(summary.hvps, 10);
      const ref = reference("trajectories-quadratic.json", name);
      assert.ok(
        worstDeviation(trajectory, ref, 9) <= 1e-8,
        `${name}: steps 1-9 deviate by ${worstDeviation(trajectory, ref, 9)}`,
      );
      assert.ok(
        worstDeviation(trajectory, ref) <= 1e-7,
        `${name}: step 10 deviates by ${worstDeviation(trajectory, ref)}`,
      );
    }
  });

  it("book.newton with damping 0.1 reproduces the quadratic (40 steps, 1e-8) and the mlp (12 steps, 1e-5)", () => {
    const quadratic = optimize([
      "--problem",
      fixture("trajectories-quadratic.json"),
      "--method",
      "book.newton",
      "--config",
      '{"damping": 0.1}',
      "--steps",
      "40",
    ]);
    assert.equal(quadratic.trajectory.length, 40);
    assert.ok(worstDeviation(quadratic.trajectory, reference("trajectories-quadratic.json", "book.newton")) <= 1e-8);
    const mlp = optimize([
      "--problem",
      fixture("trajectories-mlp.json"),
      "--method",
      "book.newton",
      "--config",
      '{"damping": 0.1}',
      "--steps",
      "12",
    ]);
    assert.equal(mlp.summary.hevals, 12);
    assert.ok(worstDeviation(mlp.trajectory, reference("trajectories-mlp.json", "book.newton")) <= 1e-5);
  });

  it("bfgs, lbfgs, cg-prplus and newton-cg solve a suite problem with SciPy's counts in the summary", () => {
    for (const [method, njev] of [
      ["bfgs", 39],
      ["lbfgs", 44],
      ["cg-prplus", 77],
      ["newton-cg", 105],
    ] as const) {
      const { summary } = optimize([
        "--problem",
        `${fixture("scipy-suite.json")}#rosenbrock2`,
        "--method",
        method,
        "--tol",
        "1e-5",
      ]);
      assert.equal(summary.converged, true, `${method}: ${summary.message}`);
      assert.ok(summary.gradNorm <= 1e-5);
      assert.ok(summary.gevals <= njev, `${method}: ${summary.gevals} gradient evaluations`);
      assert.equal(summary.hvps > 0, method === "newton-cg");
    }
  });

  it("newton and coordinate descent on the coupled example: 1 step against 53 sweeps", () => {
    const newton = optimize(["--problem", "coupled", "--method", "newton"]);
    const sweeps = optimize(["--problem", "coupled", "--method", "coordinate-descent", "--max-iter", "100"]);
    assert.deepEqual([newton.summary.iterations, sweeps.summary.iterations], [1, 53]);
    assert.equal(sweeps.trajectory.length, 53);
  });

  it("reports negative curvature, the iteration cap and bad configs in plain words", () => {
    const saddle = descent([
      "optimize",
      "--problem",
      "saddle",
      "--method",
      "newton",
      "--config",
      '{"adaptive": false}',
    ]);
    assert.equal(saddle.code, 0, saddle.stderr);
    assert.match(saddle.stdout, /negative curvature: H \+ αI \(α = 0\) is not positive definite/);
    const capped = JSON.parse(
      descent(["optimize", "--problem", "rosenbrock", "--method", "lbfgs", "--max-iter", "3", "--json"]).stdout,
    );
    assert.deepEqual([capped.iterations, capped.converged, capped.status], [3, false, "maxIter"]);
    const bad = descent(["optimize", "--problem", "rosenbrock", "--method", "bfgs", "--config", '{"c2": 2}']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /bfgs: config "c2"/);
    assert.equal(bad.stdout, "");
  });
});
