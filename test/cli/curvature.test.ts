import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { descent } from "./run.js";
import { maxRelError } from "../curvature/helpers.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const tmp = (name: string) => mkdtempSync(join(tmpdir(), `descent-curvature-${name}-`));

/** Eigenvalues of a symmetric matrix by cyclic Jacobi rotations (plain JS, independent of jax-js). */
function jacobiEigenvalues(A: number[][]): number[] {
  const n = A.length;
  const a = A.map((row) => row.slice());
  for (let sweep = 0; sweep < 30; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        if (a[p][q] === 0) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const [akp, akq] = [a[k][p], a[k][q]];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const [apk, aqk] = [a[p][k], a[q][k]];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
      }
  }
  return a.map((row, i) => row[i]).sort((x, y) => x - y);
}

function runJson(args: string[]) {
  const run = descent(["curvature", ...args, "--json"]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout.trim().split("\n").length, 1, run.stdout);
  return JSON.parse(run.stdout);
}

describe("descent curvature", () => {
  it(
    "float64 is exact at an awkward size: a 150-example MLP's gᵀg, gᵀHg and extreme eigenvalues match torch to " +
      "1e-12",
    () => {
      const { cases } = JSON.parse(readFileSync(fixture("float64-exact.json"), "utf8"));
      const c = cases[1];
      const file = join(tmp("mlp150"), "mlp150.json");
      writeFileSync(file, JSON.stringify({ problem: c.problem, theta0: c.theta0 }));
      const out = runJson(["--problem", file, "--top", "1", "--bottom", "1", "--tol", "1e-14"]);
      const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
      const scale = Math.max(...c.eigenvalues.map(Math.abs));
      assert.ok(
        rel(out.gTg, c.gTg) <= 1e-12 && rel(out.gHg, c.gTHg) <= 1e-12,
        `gᵀg ${out.gTg} vs ${c.gTg}, gᵀHg ${out.gHg} vs ${c.gTHg}`,
      );
      assert.ok(
        Math.abs(out.top[0] - c.eigenvalues.at(-1)) <= 1e-12 * scale &&
          Math.abs(out.bottom[0] - c.eigenvalues[0]) <= 1e-12 * scale,
        `${out.top} ${out.bottom}`,
      );
      assert.equal(out.residualsBound, true);
    },
  );

  const quadratics: [string, number[][]][] = [
    [
      fixture("trajectories-quadratic.json"),
      JSON.parse(readFileSync(fixture("trajectories-quadratic.json"), "utf8")).problem.A,
    ],
    [
      `${fixture("scipy-suite.json")}#quadratic-cond1e4`,
      JSON.parse(readFileSync(fixture("scipy-suite.json"), "utf8")).problems.find(
        (p: { name: string }) => p.name === "quadratic-cond1e4",
      ).problem.A,
    ],
  ];
  for (const [spec, A] of quadratics) {
    it(
      `${spec.split("/").pop()}: --top 3 --bottom 3 are A's eigenvalues to 1e-8; the density integrates to 1 with ` +
        `first moment trace/n`,
      () => {
        const small = A.length <= 10;
        const out = runJson([
          "--problem",
          spec,
          "--top",
          "3",
          "--bottom",
          "3",
          ...(small ? ["--trace", "--density", "--power"] : []),
        ]);
        assert.deepEqual(Object.keys(out).slice(0, 8), [
          "f",
          "gradNorm",
          "gTg",
          "gHg",
          "top",
          "bottom",
          "trace",
          "hvps",
        ]);
        const eig = jacobiEigenvalues(A);
        const n = A.length;
        assert.ok(maxRelError(out.top, eig.slice(-3).reverse()) <= 1e-8, `top ${out.top} vs ${eig.slice(-3)}`);
        assert.ok(maxRelError(out.bottom, eig.slice(0, 3)) <= 1e-8, `bottom ${out.bottom} vs ${eig.slice(0, 3)}`);
        assert.ok(Math.abs(out.gTg - out.gradNorm ** 2) <= 1e-12 * out.gTg);
        assert.ok(out.hvps >= out.lanczosSteps + 1);
        assert.ok(Math.abs(out.condition / (eig[n - 1] / eig[0]) - 1) < 1e-8);
        if (!small) return;
        const trueTrace = eig.reduce((s, v) => s + v, 0);
        assert.ok(
          Math.abs(out.trace - trueTrace) < 4 * out.traceStdError,
          `trace ${out.trace} ± ${out.traceStdError} vs ${trueTrace}`,
        );
        const d = out.density;
        assert.ok(Math.abs(d.mass - 1) < 1e-12, `mass ${d.mass}`);
        assert.ok(
          Math.abs(d.firstMoment - out.trace / n) <= 1e-12 * Math.abs(out.trace / n),
          `first moment ${d.firstMoment} vs trace/n ${out.trace / n}`,
        );
        const h = d.grid[1] - d.grid[0];
        const integral =
          d.values.reduce(
            (s: number, v: number, i: number) => s + (i === 0 || i === d.values.length - 1 ? v / 2 : v),
            0,
          ) * h;
        assert.ok(Math.abs(integral - 1) < 1e-3, `smoothed density integrates to ${integral}`);
        assert.ok(maxRelError(out.powerTop, eig.slice(-3).reverse()) <= 1e-8, `power iteration ${out.powerTop}`);
      },
    );
  }

  it("finds the saddle of x² − y² at the origin, with its direction of negative curvature (8.2.3)", () => {
    const dir = tmp("saddle");
    writeFileSync(join(dir, "origin.json"), "[0, 0]");
    const out = runJson(["--problem", "saddle", "--at", join(dir, "origin.json")]);
    assert.equal(out.point.kind, "saddle");
    assert.equal(out.gradNorm, 0);
    assert.ok(Math.abs(out.top[0] - 2) < 1e-12 && Math.abs(out.bottom[0] + 2) < 1e-12, `${out.top} ${out.bottom}`);
    assert.ok(
      Math.abs(Math.abs(out.point.direction[1]) - 1) < 1e-12 && Math.abs(out.point.direction[0]) < 1e-12,
      `${out.point.direction}`,
    );
    assert.equal(out.condition, null);
    // Off the critical point (the built-in start) it is not a saddle, but the negative curvature is still there.
    const start = runJson(["--problem", "saddle"]);
    assert.equal(start.point.kind, "not-critical");
    assert.ok(Math.abs(start.bottom[0] + 2) < 1e-12);
  });

  it(
    "finds the saddle of a small network whose hidden units are all identical (zero), the output bias at the class " +
      "log-frequencies",
    () => {
      const spec = JSON.parse(readFileSync(fixture("trajectories-mlp.json"), "utf8")).problem;
      const sizes = (spec.shapes as number[][]).map((s) => s.reduce((a, b) => a * b, 1));
      const Y = spec.Y as number[][];
      const frequencies = Y[0].map((_, c) => Y.reduce((s, row) => s + row[c], 0) / Y.length);
      const theta = [...new Array(sizes[0] + sizes[1] + sizes[2]).fill(0), ...frequencies.map(Math.log)];
      const dir = tmp("mlp-saddle");
      writeFileSync(join(dir, "at.json"), JSON.stringify({ theta }));
      const out = runJson([
        "--problem",
        fixture("trajectories-mlp.json"),
        "--at",
        join(dir, "at.json"),
        "--top",
        "2",
        "--bottom",
        "2",
      ]);
      assert.ok(out.gradNorm < 1e-14, `‖∇f‖ = ${out.gradNorm}`);
      assert.equal(out.point.kind, "saddle");
      assert.ok(out.bottom[0] < -1e-3 && out.top[0] > 1e-3, `${out.bottom} ${out.top}`);
      assert.equal(out.point.direction.length, theta.length);
    },
  );

  it("rejects bad input with exit code 2 and one line", () => {
    const dir = tmp("bad");
    writeFileSync(join(dir, "short.json"), "[1]");
    writeFileSync(join(dir, "broken.json"), "[1,");
    for (const [args, pattern] of [
      [
        ["--problem", "saddle", "--at", join(dir, "short.json")],
        /--at .* has 1 entries but the problem has dimension 2/,
      ],
      [["--problem", "saddle", "--at", join(dir, "broken.json")], /--at .* is not valid JSON/],
      [["--problem", "saddle", "--at", join(dir, "missing.json")], /--at .* cannot be read: no such file/],
      [["--problem", "nonesuch"], /neither a built-in problem/],
      [["--problem", "saddle", "--top", "-1"], /--top must be >= 0/],
    ] as [string[], RegExp][]) {
      const run = descent(["curvature", ...args]);
      assert.equal(run.code, 2, `${args}: exit ${run.code} ${run.stderr}`);
      assert.equal(run.stdout, "");
      assert.match(run.stderr, pattern);
      assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
    }
  });
});

describe("descent diagnose", () => {
  it("trains with the monitors on and writes the report, raw JSON lines and one summary line", () => {
    const out = tmp("diagnose");
    const run = descent([
      "diagnose",
      "--dataset",
      "blobs",
      "--epochs",
      "2",
      "--batch-size",
      "100",
      "--monitor-every",
      "4",
      "--spectrum-at",
      "1,18",
      "--lanczos-steps",
      "8",
      "--noise-batch-sizes",
      "8,64",
      "--probe-size",
      "128",
      "--out",
      out,
      "--json",
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim().split("\n").length, 1);
    const summary = JSON.parse(run.stdout);
    assert.equal(summary.steps, 18); // 900 training examples (10% held out), batches of 100, 2 epochs
    assert.equal(summary.measurements, 6); // steps 1, 4, 8, 12, 16 and the last, 18
    assert.deepEqual(
      summary.spectra.map((s: { step: number }) => s.step),
      [1, 18],
    );
    assert.equal(typeof summary.figure81.shown, "boolean");
    for (const f of ["report.html", "diagnostics.jsonl", "metrics.jsonl", "config.json", "checkpoint.safetensors"])
      assert.ok(existsSync(join(out, f)), f);
    const lines = readFileSync(join(out, "diagnostics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const types = new Set(lines.map((l) => l.type));
    assert.deepEqual([...types].sort(), ["curvature", "gradient-noise", "layers", "probe", "spectrum", "symmetry"]);
    const curvature = lines.filter((l) => l.type === "curvature");
    // The cosine schedule's last ε is 0: the last measurement uses the last positive ε instead of reading zero.
    const last = curvature[curvature.length - 1];
    assert.equal(last.step, 18);
    assert.ok(
      last.lr > 0 && last.predictedChange !== 0,
      `last record: ε ${last.lr}, predicted ${last.predictedChange}`,
    );
    // The trailing partial window of the layer norms (steps 17-18) is kept and says how long it is.
    const layers = lines.filter((l) => l.type === "layers");
    assert.deepEqual(
      layers.map((l) => [l.step, l.steps]),
      [
        [4, 4],
        [8, 4],
        [12, 4],
        [16, 4],
        [18, 2],
      ],
    );
    // Every number can be recomputed outside: the probe batch, the noise draws and the symmetry's permutations.
    const probe = lines.find((l) => l.type === "probe");
    assert.equal(new Set(probe.indices).size, 128);
    assert.ok(probe.indices.every((i: number) => Number.isInteger(i) && i >= 0 && i < 900));
    const noise = lines.find((l) => l.type === "gradient-noise");
    assert.equal(noise.varianceIndices.length, Math.min(256, 900));
    for (const row of noise.rows)
      assert.ok(
        row.drawIndices.length === row.draws && row.drawIndices.every((d: number[]) => d.length === row.batchSize),
      );
    for (const r of curvature)
      assert.ok(
        Number.isFinite(r.gHg) &&
          r.error >= 0 &&
          r.error <= 1 &&
          Math.abs(r.predictedChange + r.lr * r.gTg - 0.5 * r.lr ** 2 * r.gHg) < 1e-9 * Math.max(1, r.gTg),
      );
    const symmetry = lines.find((l) => l.type === "symmetry");
    assert.ok(symmetry.maxRelDiff < 1e-5, `symmetry ${symmetry.maxRelDiff}`); // float32
    // --checkpoint evaluates the trained model without retraining:
    // at the last step it reproduces the run's own measurements.
    const again = descent([
      "diagnose",
      "--checkpoint",
      out,
      "--probe-size",
      "128",
      "--lanczos-steps",
      "8",
      "--trace-probes",
      "4",
      "--noise-batch-sizes",
      "8,64",
      "--json",
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).step, 18);
    const evaluated = readFileSync(join(out, "checkpoint-diagnostics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      evaluated.map((l) => l.type),
      ["checkpoint", "probe", "curvature", "spectrum", "trace", "gradient-noise", "symmetry"],
    );
    assert.deepEqual(evaluated[1].indices, probe.indices);
    for (const k of ["loss", "gTg", "gHg", "lr", "actualChange"])
      assert.equal(evaluated[2][k], last[k], `curvature ${k}`);
    const noiseAgain = evaluated[5];
    assert.equal(noiseAgain.fullGradNorm, noise.fullGradNorm);
    assert.equal(noiseAgain.sigma, noise.sigma);
    assert.deepEqual(evaluated[6].permutations, symmetry.permutations);
    assert.equal(evaluated[6].loss, symmetry.loss);
    assert.ok(Number.isFinite(evaluated[4].estimate) && evaluated[4].samples.length === 4);
    const missing = descent(["diagnose", "--checkpoint", join(out, "nowhere")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--checkpoint: no checkpoint at .*nowhere/);

    // --seed reaches the symmetry check's permutations (it always used key 0 before).
    const other = tmp("diagnose-seed");
    const reseeded = descent([
      "diagnose",
      "--dataset",
      "blobs",
      "--epochs",
      "1",
      "--batch-size",
      "300",
      "--lanczos-steps",
      "4",
      "--no-noise",
      "--probe-size",
      "32",
      "--seed",
      "7",
      "--out",
      other,
      "--json",
    ]);
    assert.equal(reseeded.code, 0, reseeded.stderr);
    const symmetry7 = readFileSync(join(other, "diagnostics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .find((l) => l.type === "symmetry");
    assert.notDeepEqual(symmetry7.permutations, symmetry.permutations);
    const html = readFileSync(join(out, "report.html"), "utf8");
    for (const heading of ["Figure 8.1", "8.2.1", "Per-layer gradient norms", "spectrum", "gradient noise", "symmetry"])
      assert.match(html, new RegExp(heading, "i"));
    assert.ok((html.match(/<svg/g) ?? []).length >= 7);
  });

  it("rejects what train rejects, and its own bad flags", () => {
    for (const [args, pattern] of [
      [["--batch-size", "0"], /batchSize/],
      [["--probe-size", "0"], /--probe-size must be at least 1/],
      [["--resume"], /unknown option '--resume'/],
      [
        ["--spectrum-at", "1,500"],
        /--spectrum-at: step 500 is outside the run's steps 1\.\.8/ /* 900 examples, batches of 128 */,
      ],
      [["--noise-batch-sizes", "8,5000"], /--noise-batch-sizes: 5000 is not between 1 and the 900 training examples/],
    ] as [string[], RegExp][]) {
      const run = descent(["diagnose", "--dataset", "blobs", "--epochs", "1", "--out", tmp("bad"), ...args]);
      assert.equal(run.code, 2, `${args}: exit ${run.code} ${run.stderr}`);
      assert.match(run.stderr, pattern);
    }
  });
});
