import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { precisionOf, random, startEngine } from "../../src/engine/index.js";
import { loadProblem, Objective } from "../../src/problems/index.js";
import {
  coordinateDescent,
  newton,
  sparseCoding,
  sparseCodingObjective,
  type HostMatrix,
} from "../../src/solvers/index.js";

const precision = precisionOf("float64");
const coupled = () => {
  const { problem } = loadProblem("coupled", { precision });
  return { objective: new Objective(problem, precision), x0: problem.x0 };
};

describe("coordinate descent (8.7.2) on f = (x1 − x2)² + α(x1² + x2²), α = 0.1", () => {
  before(() => startEngine());

  it(
    "needs 53 sweeps where one Newton step suffices: the coupling makes each sweep shrink x by only 1/(1 + " + "α)²",
    () => {
      const cd = coupled();
      const result = coordinateDescent(cd.objective, cd.x0, { recordTrajectory: true });
      assert.ok(result.converged, result.message);
      assert.equal(result.iterations, 53);
      // Exact coordinate minimization: x1 ← x2/(1 + α), x2 ← x1/(1 + α).
      const [x1, x2] = result.trajectory![0];
      assert.ok(Math.abs(x1 - -0.5 / 1.1) < 1e-15 && Math.abs(x2 - x1 / 1.1) < 1e-15, `${x1}, ${x2}`);
      for (let k = 1; k < 10; k++) {
        const ratio = result.trajectory![k][1] / result.trajectory![k - 1][1];
        assert.ok(Math.abs(ratio - 1 / 1.21) < 1e-12, `sweep ${k + 1}: ratio ${ratio}`);
      }
      const nt = coupled();
      const step = newton(nt.objective, nt.x0);
      assert.equal(step.iterations, 1);
      assert.ok(step.gradNorm < 1e-15);
    },
  );

  it("the line-search rule needs as many sweeps; one block holding both variables is one Newton step", () => {
    const ls = coupled();
    assert.equal(coordinateDescent(ls.objective, ls.x0, { rule: "line-search" }).iterations, 53);
    const block = coupled();
    const joint = coordinateDescent(block.objective, block.x0, { blocks: [[0, 1]] });
    assert.equal(joint.iterations, 1);
    assert.ok(joint.gradNorm < 1e-15);
  });

  it("rejects blocks that do not partition the coordinates", () => {
    const { objective, x0 } = coupled();
    assert.throws(() => coordinateDescent(objective, x0, { blocks: [[0]] }), /must partition 0..1/);
    assert.throws(() => coordinateDescent(objective, x0, { blocks: [[0, 1], [1]] }), /must partition/);
  });
});

describe("sparse coding by block coordinate descent (8.7.2)", () => {
  // X = H* W*ᵀ + noise with sparse codes H* (m = 40 examples, d = 8 features, k = 5 atoms).
  const [m, d, k] = [40, 8, 5];
  const [hKey, wKey, mKey, nKey] = random.splitKey(random.randomKey(7), 4);
  const mask = random.uniform(mKey, m * k);
  const Hstar = random.normal(hKey, m * k).map((v, i) => (mask[i] < 0.3 ? v : 0));
  const Wstar = random.normal(wKey, d * k);
  const noise = random.normal(nKey, m * d, 0, 0.01);
  const X: HostMatrix = { rows: m, cols: d, data: new Float64Array(m * d) };
  for (let i = 0; i < m; i++)
    for (let j = 0; j < d; j++) {
      let v = noise[i * d + j];
      for (let a = 0; a < k; a++) v += Hstar[i * k + a] * Wstar[j * k + a];
      X.data[i * d + j] = v;
    }
  const [lambda, ridge] = [0.1, 0.1];

  it("lowers J(H, W) = λΣ|H| + ‖X − HWᵀ‖² + μ‖W‖² at every sweep and converges", () => {
    const result = sparseCoding(X, { atoms: k, lambda, ridge, maxIter: 5000, tol: 1e-12 });
    assert.ok(result.converged, `${result.iterations} sweeps`);
    result.objective.forEach(
      (J, i) =>
        i && assert.ok(J <= result.objective[i - 1] * (1 + 1e-14), `sweep ${i + 1}: ${J} > ${result.objective[i - 1]}`),
    );
    assert.ok(result.objective.at(-1)! < 0.5 * result.objective[0]);
    assert.equal(result.objective.at(-1), sparseCodingObjective(X, result.H, result.W, lambda, ridge));
  });

  it("ends at a point where each block is optimal: the lasso subgradient and ridge conditions hold", () => {
    const { H, W } = sparseCoding(X, { atoms: k, lambda, ridge, maxIter: 5000, tol: 1e-12 });
    let zeros = 0;
    for (let i = 0; i < m; i++) {
      for (let a = 0; a < k; a++) {
        // ∂/∂H_ia of the fit: −2 Σ_j (X − HWᵀ)_ij W_ja; optimality: |.| <= λ at 0, = −λ sign(H_ia) elsewhere.
        let grad = 0;
        for (let j = 0; j < d; j++) {
          let r = X.data[i * d + j];
          for (let b = 0; b < k; b++) r -= H.data[i * k + b] * W.data[j * k + b];
          grad -= 2 * r * W.data[j * k + a];
        }
        const h = H.data[i * k + a];
        if (h === 0) {
          zeros++;
          assert.ok(Math.abs(grad) <= lambda + 1e-9, `H[${i},${a}] = 0 with |∂| = ${Math.abs(grad)}`);
        } else assert.ok(Math.abs(grad + lambda * Math.sign(h)) <= 1e-5, `H[${i},${a}] = ${h}: ${grad}`);
      }
    }
    assert.ok(zeros > 0.3 * m * k, `${zeros} zero codes of ${m * k}`);
    // W was minimized last, in closed form: −2(X − HWᵀ)ᵀH + 2μW = 0.
    for (let j = 0; j < d; j++) {
      for (let a = 0; a < k; a++) {
        let grad = 2 * ridge * W.data[j * k + a];
        for (let i = 0; i < m; i++) {
          let r = X.data[i * d + j];
          for (let b = 0; b < k; b++) r -= H.data[i * k + b] * W.data[j * k + b];
          grad -= 2 * r * H.data[i * k + a];
        }
        assert.ok(Math.abs(grad) <= 1e-10, `∂J/∂W[${j},${a}] = ${grad}`);
      }
    }
  });

  it("rejects an ill-posed problem (no ridge)", () => {
    assert.throws(() => sparseCoding(X, { atoms: k, lambda, ridge: 0 }), /ridge > 0/);
  });
});
