import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { trajectoryPca } from "../../src/report/trajectoryPca.js";

const reference = JSON.parse(readFileSync(new URL("../fixtures/trajectory-pca-sklearn.json", import.meta.url), "utf8"));

describe("trajectoryPca", () => {
  it("matches scikit-learn's PCA of θ_i − θ*: directions (up to sign), explained variance and projections", () => {
    const pca = trajectoryPca(
      reference.snapshots.map((s: number[]) => Float64Array.from(s)),
      Float64Array.from(reference.final),
    );
    for (let k = 0; k < 2; k++) {
      const sign = Math.sign(pca.directions[k].reduce((s, v, j) => s + v * reference.components[k][j], 0));
      pca.directions[k].forEach((v, j) => assert.ok(Math.abs(sign * v - reference.components[k][j]) < 1e-10));
      assert.ok(Math.abs(pca.explained[k] - reference.explained[k]) < 1e-12, `explained ${pca.explained[k]}`);
      pca.coordinates.forEach((c, i) => assert.ok(Math.abs(sign * c[k] - reference.coordinates[i][k]) < 1e-10));
    }
    assert.deepEqual(pca.coordinates.at(-1), [0, 0]);
  });

  it("recovers a trajectory that lies in a plane: all the variance, and θ* + αd₁ + βd₂ gives back each θ_i", () => {
    const final = Float64Array.from({ length: 50 }, (_, j) => Math.sin(j));
    const u = Float64Array.from({ length: 50 }, (_, j) => Math.cos(3 * j));
    const v = Float64Array.from({ length: 50 }, (_, j) => (j % 7) - 3);
    const snapshots = [0, 1, 2, 3, 4].map((t) =>
      final.map((f, j) => f + (5 - t) ** 2 * u[j] + Math.sin(t) * v[j] * 0.3),
    );
    const pca = trajectoryPca(snapshots, final);
    assert.ok(Math.abs(pca.explained[0] + pca.explained[1] - 1) < 1e-12);
    assert.ok(pca.explained[0] > pca.explained[1]);
    snapshots.forEach((s, i) => {
      const [a, b] = pca.coordinates[i];
      s.forEach((x, j) =>
        assert.ok(Math.abs(final[j] + a * pca.directions[0][j] + b * pca.directions[1][j] - x) < 1e-9),
      );
    });
  });

  it("names what is missing when the trajectory cannot give two components", () => {
    const final = new Float64Array(4);
    assert.throws(() => trajectoryPca([final, final], final), /at least 3 snapshots/);
    const line = [1, 2, 3].map((t) => Float64Array.from([t, 2 * t, 0, 0]));
    assert.throws(() => trajectoryPca(line, final), /fewer than two directions/);
  });
});
