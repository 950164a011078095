import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cubicMinThreePoints, cubicMinTwoSlopes, quadraticMin, secantMin } from "../../src/linesearch/index.js";
import { firstStep, interpolatedStep } from "../../src/linesearch/initialStep.js";

// φ(α) = (α − 2)² + 1 (minimizer 2) and ψ(α) = α³ − 3α (local minimizer 1).
const phi = (a: number) => (a - 2) ** 2 + 1;
const dphi = (a: number) => 2 * (a - 2);
const psi = (a: number) => a ** 3 - 3 * a;
const dpsi = (a: number) => 3 * a * a - 3;

describe("step-length interpolation (N&W 3.5)", () => {
  it("recovers the minimizer of the polynomial it fits exactly", () => {
    assert.equal(quadraticMin(0, phi(0), dphi(0), 3, phi(3)), 2);
    assert.equal(quadraticMin(5, phi(5), dphi(5), -1, phi(-1)), 2);
    assert.ok(Math.abs(cubicMinTwoSlopes(0, psi(0), dpsi(0), 2, psi(2), dpsi(2))! - 1) < 1e-15);
    assert.ok(Math.abs(cubicMinTwoSlopes(2, psi(2), dpsi(2), 0.5, psi(0.5), dpsi(0.5))! - 1) < 1e-15);
    assert.ok(Math.abs(cubicMinThreePoints(0, psi(0), dpsi(0), 2, psi(2), 3, psi(3))! - 1) < 1e-14);
    assert.equal(secantMin(0, dphi(0), 3, dphi(3)), 2);
  });

  it("returns undefined when the fit has no usable minimizer", () => {
    assert.equal(quadraticMin(0, 0, 1, 1, 0), undefined, "concave fit");
    assert.equal(quadraticMin(1, 0, 0, 1, 0), undefined, "coincident points");
    assert.equal(cubicMinTwoSlopes(0, 0, 3, 1, 2, 3), undefined, "no real critical point");
    assert.equal(cubicMinThreePoints(0, 0, -1, 1, 0, 1, 2), undefined, "two equal points");
    assert.equal(secantMin(0, 1, 1, 1), undefined, "parallel slopes");
  });
});

describe("initial trial steps", () => {
  it("firstStep is a step of length at most 1 along −g", () => {
    assert.equal(firstStep(Float64Array.from([3, 4])), 0.2);
    assert.equal(firstStep(Float64Array.from([0.3, 0.4])), 1);
  });

  it("interpolatedStep repeats the last decrease (2.02(f_k − f_{k−1})/φ'(0)), capped at 1, else 1", () => {
    assert.ok(Math.abs(interpolatedStep(1, 1.5, -10) - 0.101) < 1e-15);
    assert.equal(interpolatedStep(1, 10, -1), 1, "capped at 1");
    assert.equal(interpolatedStep(1, 0.5, -1), 1, "f went up: no useful estimate");
    assert.equal(interpolatedStep(1, Number.NaN, -1), 1, "no previous value");
  });
});
