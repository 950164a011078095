import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { curvature, engine, numpy as np } from "../../src/index.js";

describe("curvature on any function", () => {
  before(() => engine.startEngine());

  it("the extreme eigenvalues of a diagonal quadratic are its coefficients", () => {
    const c = [5, -2, 0.5, 9, 1];
    const coeffs = np.array(Float64Array.from(c), { dtype: np.float64 });
    // f = ½ Σ c_i x_i², so ∇²f = diag(c) everywhere.
    const f = (x: np.Array) => np.square(x).mul(coeffs.ref).sum().mul(0.5);
    const spectrum = curvature.hessianEigenvalues(f, [1, 1, 1, 1, 1], { top: 2, bottom: 1 });
    coeffs.dispose();
    assert.ok(Math.abs(spectrum.top[0] - 9) < 1e-10 && Math.abs(spectrum.top[1] - 5) < 1e-10, `top ${spectrum.top}`);
    assert.ok(Math.abs(spectrum.bottom[0] + 2) < 1e-10, `bottom ${spectrum.bottom}`);
    assert.ok(spectrum.converged);
    assert.ok(spectrum.hvps >= 1 && spectrum.hvps <= 5);
  });

  it("topEigenvalues of 2-D Rosenbrock at its minimum match the closed form", () => {
    const rosen = (x: np.Array) => {
      const [a, b] = [x.ref.slice([0, 1]), x.slice([1, 2])];
      return np
        .square(b.sub(np.square(a.ref)))
        .mul(100)
        .add(np.square(a.neg().add(1)))
        .sum();
    };
    // ∇²f(1, 1) = [[802, −400], [−400, 200]]: trace 1002, determinant 400, so λmax = 501 + √(501² − 400).
    const [top] = curvature.topEigenvalues(rosen, [1, 1]);
    assert.ok(Math.abs(top - (501 + Math.sqrt(501 ** 2 - 400))) < 1e-8, `λmax = ${top}`);
    assert.throws(() => curvature.topEigenvalues(rosen, [1, 1], 0), /k must be a positive integer/);
  });
});
