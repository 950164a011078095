import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { random } from "../../src/engine/index.js";
import { spectralNorm, type Matrix } from "../../src/curvature/recurrent.js";
import { orthogonal } from "../../src/nn/index.js";

/** U diag(σ) Vᵀ for random orthogonal U, V (plain JS products), so that the singular values are known exactly. */
function withSingularValues(sigma: number[], seed: number): Matrix {
  const n = sigma.length;
  const U = orthogonal()(random.randomKey(seed), [n, n]);
  const V = orthogonal()(random.randomKey(seed + 1), [n, n]);
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) data[i * n + j] += U[i * n + k] * sigma[k] * V[j * n + k];
  return { rows: n, cols: n, data };
}

describe("spectralNorm: ‖W‖₂ exact when the top singular values are close (near-orthogonal recurrent weights)", () => {
  for (const [gap, label] of [
    [1e-4, "σ2 = σ1(1 − 1e-4)"],
    [0, "σ1 = σ2 = σ3"],
    [0.3, "well separated"],
  ] as const) {
    it(`128 units, ${label}: to 1e-12`, () => {
      const sigma = Array.from({ length: 128 }, (_, i) =>
        i === 0 ? 1.1 : i < 3 && gap === 0 ? 1.1 : 1.1 * (1 - gap) - 0.004 * i,
      );
      const W = withSingularValues(sigma, 21);
      const norm = spectralNorm(W);
      assert.ok(
        Math.abs(norm - 1.1) <= 1e-12 * 1.1,
        `‖W‖₂ = ${norm}, expected 1.1 (error ${Math.abs(norm - 1.1).toExponential(2)})`,
      );
    });
  }

  it("a non-square and a zero matrix", () => {
    const tall: Matrix = { rows: 3, cols: 2, data: Float64Array.of(3, 0, 0, 4, 0, 0) };
    assert.ok(Math.abs(spectralNorm(tall) - 4) <= 1e-14);
    assert.equal(spectralNorm({ rows: 4, cols: 4, data: new Float64Array(16) }), 0);
  });
});
