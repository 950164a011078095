import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { contourLevels, contourLines, sampleGrid } from "../../src/report/contours.js";
import { factor, percent, sig } from "../../src/report/format.js";

const bowl = (points: Float64Array) =>
  Float64Array.from({ length: points.length / 2 }, (_, k) => points[2 * k] ** 2 + points[2 * k + 1] ** 2);

describe("contours", () => {
  it("traces the circle x² + y² = 1 as one closed line of points on the circle", () => {
    const grid = sampleGrid({ x: [-2, 2], y: [-2, 2] }, 41, bowl);
    const lines = contourLines(grid, 1);
    assert.equal(lines.length, 1);
    const { points } = lines[0];
    assert.deepEqual(points[0], points[points.length - 1], "closed");
    // Linear interpolation along a cell edge of 0.1 is within 0.01 of the radius.
    for (const [x, y] of points) assert.ok(Math.abs(Math.hypot(x, y) - 1) < 0.01, `${x}, ${y}`);
    assert.ok(points.length > 40, `${points.length} points`);
  });

  it("gives open lines for the saddle x² − y² = 0.5 (two branches)", () => {
    const grid = sampleGrid({ x: [-2, 2], y: [-2, 2] }, 41, (p) =>
      Float64Array.from({ length: p.length / 2 }, (_, k) => p[2 * k] ** 2 - p[2 * k + 1] ** 2),
    );
    const lines = contourLines(grid, 0.5);
    assert.equal(lines.length, 2);
    for (const { points } of lines) for (const [x, y] of points) assert.ok(Math.abs(x * x - y * y - 0.5) < 0.05);
  });

  it("spreads levels between the minimum and a high quantile, log-spaced on request", () => {
    const grid = sampleGrid({ x: [-2, 2], y: [-2, 2] }, 21, bowl);
    const linear = contourLevels(grid.values, 4);
    assert.equal(linear.length, 4);
    assert.ok(linear.every((l, i) => i === 0 || l > linear[i - 1]));
    assert.ok(Math.abs(linear[1] - linear[0] - (linear[3] - linear[2])) < 1e-12);
    const log = contourLevels(grid.values, 4, true);
    assert.ok(log[1] - log[0] < log[3] - log[2]);
  });
});

describe("number formatting", () => {
  it("keeps 3-4 significant digits", () => {
    assert.equal(sig(0.19052659814340092), "0.1905");
    assert.equal(sig(2466.0), "2466");
    assert.equal(sig(1.23456e-7), "1.235e-7");
    assert.equal(percent(0.97312), "97.3 %");
    assert.equal(factor(0.0012345), "×0.00123");
  });
});
