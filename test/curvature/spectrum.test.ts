import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { random } from "../../src/engine/index.js";
import {
  classifyPoint,
  conditionNumber,
  counted,
  denseOperator,
  densityMoment,
  extremeEigenpairs,
  hutchinsonTrace,
  Lanczos,
  powerIteration,
  probeVector,
  smoothDensity,
  spectralDensity,
  tridiagonalEigen,
} from "../../src/curvature/index.js";
import { logSpaced, matrixWithSpectrum, maxRelError } from "./helpers.js";

describe("tridiagonalEigen (implicit QL)", () => {
  it(
    "matches the closed form a + 2b cos(kπ/(m+1)) of a Toeplitz tridiagonal matrix, with orthonormal " + "eigenvectors",
    () => {
      const m = 40;
      const [a, b] = [3, -1.5];
      const { values, vectors } = tridiagonalEigen(new Array(m).fill(a), new Array(m - 1).fill(b));
      const exact = Array.from({ length: m }, (_, k) => a + 2 * b * Math.cos(((k + 1) * Math.PI) / (m + 1))).sort(
        (x, y) => x - y,
      );
      values.forEach((v, k) => assert.ok(Math.abs(v - exact[k]) <= 1e-13 * 6, `eigenvalue ${k}: ${v} vs ${exact[k]}`));
      for (let i = 0; i < m; i++)
        for (let j = 0; j < m; j++) {
          let s = 0;
          for (let r = 0; r < m; r++) s += vectors[r * m + i] * vectors[r * m + j];
          assert.ok(Math.abs(s - (i === j ? 1 : 0)) < 1e-12, `VᵀV[${i},${j}] = ${s}`);
        }
    },
  );

  it("handles a split matrix (zero off-diagonal) and 1×1", () => {
    assert.deepEqual(Array.from(tridiagonalEigen([5, 1], [0]).values), [1, 5]);
    assert.deepEqual(Array.from(tridiagonalEigen([7], []).values), [7]);
  });
});

describe("Lanczos with full reorthogonalization", () => {
  it("keeps the basis orthonormal and reproduces every eigenvalue after n steps (condition 1e6)", () => {
    const eig = logSpaced(60, 1e-3, 1e3);
    const op = denseOperator(matrixWithSpectrum(eig, 3), 60);
    const lanczos = new Lanczos(op, random.normal(random.randomKey(1), 60));
    while (lanczos.step());
    assert.equal(lanczos.steps, 60);
    const { basis } = lanczos;
    let worst = 0;
    for (let i = 0; i < 60; i++)
      for (let j = 0; j <= i; j++)
        worst = Math.max(worst, Math.abs(basis[i].reduce((s, x, k) => s + x * basis[j][k], 0) - (i === j ? 1 : 0)));
    assert.ok(worst < 1e-13, `loss of orthogonality ${worst}`);
    assert.ok(
      maxRelError(lanczos.tridiagonal().values, eig) < 1e-8,
      `eigenvalues ${maxRelError(lanczos.tridiagonal().values, eig)}`,
    );
  });

  it("stops at an invariant subspace, or restarts there and finds a repeated eigenvalue", () => {
    const eig = [1, 1, 1, 2, 2, 5];
    const op = denseOperator(matrixWithSpectrum(eig, 4), 6);
    const stopped = new Lanczos(op, random.normal(random.randomKey(2), 6));
    while (stopped.step());
    assert.equal(stopped.steps, 3, "three distinct eigenvalues: the Krylov space has dimension 3");
    assert.ok(maxRelError(stopped.tridiagonal().values, [1, 2, 5]) < 1e-12);
    const restarted = new Lanczos(op, random.normal(random.randomKey(2), 6), { restartKey: random.randomKey(9) });
    while (restarted.step());
    assert.equal(restarted.steps, 6);
    assert.ok(maxRelError(restarted.tridiagonal().values, eig) < 1e-12, `${restarted.tridiagonal().values}`);
  });
});

describe("extremeEigenpairs", () => {
  it("finds the top and bottom eigenvalues with residual bounds, before n steps when they are well separated", () => {
    const eig = [-7, -3, ...logSpaced(196, 0.01, 1), 40, 90];
    const op = counted(denseOperator(matrixWithSpectrum(eig, 5), 200));
    const r = extremeEigenpairs(op, { top: 2, bottom: 2, vectors: true, maxSteps: 200 });
    assert.ok(r.converged);
    assert.ok(r.steps < 200, `${r.steps} steps`);
    assert.equal(op.products, r.steps);
    assert.ok(
      maxRelError(
        r.top.map((p) => p.value),
        [90, 40],
      ) < 1e-10,
      `top ${r.top.map((p) => p.value)}`,
    );
    assert.ok(
      maxRelError(
        r.bottom.map((p) => p.value),
        [-7, -3],
      ) < 1e-10,
      `bottom ${r.bottom.map((p) => p.value)}`,
    );
    // The Ritz vector really is an eigenvector: ‖Hy − λy‖ ≤ the reported residual (+ rounding).
    const y = r.bottom[0].vector!;
    const Hy = op.apply(y);
    const res = Math.sqrt(Hy.reduce((s, v, i) => s + (v - r.bottom[0].value * y[i]) ** 2, 0));
    assert.ok(res <= r.bottom[0].residual + 1e-9, `residual ${res} > bound ${r.bottom[0].residual}`);
  });

  it("reports non-convergence honestly when capped", () => {
    const op = denseOperator(matrixWithSpectrum(logSpaced(80, 1, 1.01), 6), 80);
    const r = extremeEigenpairs(op, { top: 1, bottom: 1, maxSteps: 5 });
    assert.equal(r.steps, 5);
    assert.equal(r.converged, false);
  });

  it("condition number only for positive definite H", () => {
    assert.equal(conditionNumber(100, 2), 50);
    assert.equal(conditionNumber(100, -2), null);
  });
});

describe("power iteration with deflation", () => {
  it("agrees with Lanczos on the top eigenvalues and, shifted, on the bottom ones", () => {
    const eig = logSpaced(12, 1, 50);
    const op = denseOperator(matrixWithSpectrum(eig, 7), 12);
    const top = powerIteration(op, { count: 3 });
    assert.ok(top.every((p) => p.converged));
    assert.ok(
      maxRelError(
        top.map((p) => p.value),
        eig.slice(-3).reverse(),
      ) < 1e-12,
      `${top.map((p) => p.value)}`,
    );
    const bottom = powerIteration(op, { count: 2, shift: 50 });
    assert.ok(
      maxRelError(
        bottom.map((p) => p.value),
        eig.slice(0, 2),
      ) < 1e-10,
      `${bottom.map((p) => p.value)}`,
    );
  });
});

describe("Hutchinson's trace and stochastic Lanczos quadrature", () => {
  const eig = logSpaced(50, 0.5, 20);
  const op = denseOperator(matrixWithSpectrum(eig, 8), 50);
  const trace = eig.reduce((a, b) => a + b, 0);

  it("estimates the trace within a few standard errors", () => {
    const t = hutchinsonTrace(op, { probes: 200, key: random.randomKey(3) });
    assert.ok(Math.abs(t.estimate - trace) < 4 * t.stdError, `${t.estimate} ± ${t.stdError} vs ${trace}`);
    assert.ok(t.stdError < 0.05 * trace);
  });

  it("gives a probability measure whose first moment is Hutchinson's trace / n (same probes)", () => {
    const key = random.randomKey(4);
    const d = spectralDensity(op, { probes: 5, steps: 20, key });
    const mass = d.weights.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(mass - 1) < 1e-12, `mass ${mass}`);
    const t = hutchinsonTrace(op, { probes: 5, key });
    assert.ok(
      Math.abs(densityMoment(d, 1) - t.estimate / 50) < 1e-12 * trace,
      `${densityMoment(d, 1)} vs ${t.estimate / 50}`,
    );
    // Gauss quadrature with m nodes is exact for polynomials of degree
    // 2m − 1: the second moment is mean ‖Hv‖² over the unit probes.
    const second = [0, 1, 2, 3, 4].reduce((s, p) => {
      const v = probeVector(key, p, 50).map((x) => x / Math.sqrt(50));
      return s + op.apply(v).reduce((a, x) => a + x * x, 0) / 5;
    }, 0);
    assert.ok(Math.abs(densityMoment(d, 2) - second) < 1e-12 * second, `${densityMoment(d, 2)} vs ${second}`);
    const smooth = smoothDensity(d, { points: 2000 });
    const dx = smooth.grid[1] - smooth.grid[0];
    const integral =
      smooth.values.reduce((s, v, i) => s + (i === 0 || i === smooth.values.length - 1 ? v / 2 : v), 0) * dx;
    assert.ok(Math.abs(integral - 1) < 1e-3, `smoothed density integrates to ${integral}`);
  });

  it("with n steps the quadrature is exact: nodes are the eigenvalues", () => {
    const d = spectralDensity(op, { probes: 1, steps: 50 });
    assert.ok(maxRelError(d.nodes, eig) < 1e-9);
  });
});

describe("classifyPoint (8.2.3)", () => {
  it("tells minima, maxima, saddles and non-critical points apart", () => {
    assert.equal(classifyPoint(0, 1, 3).kind, "minimum");
    assert.equal(classifyPoint(0, -3, -1).kind, "maximum");
    assert.equal(classifyPoint(1e-9, -2, 2).kind, "saddle");
    assert.equal(classifyPoint(0, 0, 2).kind, "degenerate");
    const notCritical = classifyPoint(0.5, -2, 2);
    assert.equal(notCritical.kind, "not-critical");
    assert.equal(notCritical.negativeCurvature, true);
  });
});
