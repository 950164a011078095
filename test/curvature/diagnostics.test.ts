import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { numpy as np, vjp } from "@jax-js/jax";
import {
  disposeTree,
  flattenTree,
  random,
  refTree,
  startEngine,
  toDevice,
  treeFromHost,
  treeToHost,
  unflattenTree,
  type HostTensor,
} from "../../src/engine/index.js";
import { gaussianBlobs } from "../../src/data/index.js";
import { mlp, orthogonal, rnn, type Layer } from "../../src/nn/index.js";
import {
  classifyPoint,
  deviceBatch,
  extremeEigenpairs,
  gradientNoise,
  hiddenBlocks,
  modelLoss,
  recurrentDiagnostics,
  rescaleHiddenUnits,
  rnnStates,
  spectralRadius,
  stateJacobians,
  treeLossHessian,
  weightSpaceSymmetry,
} from "../../src/curvature/index.js";
import { F64 } from "./helpers.js";

const blobs = gaussianBlobs({ count: 96, classes: 3, dim: 4, key: random.randomKey(5) });

describe("inexact gradients: minibatch error σ/√m (8.1.3)", () => {
  before(() => startEngine());

  it("matches the predicted standard error across batch sizes and vanishes for the full batch", () => {
    const model = mlp(3, { width: 6, depth: 1, activation: "tanh" });
    const init = model.init(random.randomKey(6), [4], F64);
    const r = gradientNoise({
      loss: modelLoss(model, true),
      params: init.params,
      modelState: init.state,
      data: blobs,
      precision: F64,
      batchSizes: [2, 8, 32, 96],
      draws: 24,
      varianceSamples: 96,
      key: random.randomKey(7),
    });
    assert.equal(r.examples, 96);
    assert.ok(r.sigma > 0 && r.fullGradNorm > 0);
    for (const row of r.rows.slice(0, 3)) {
      const ratio = row.rmsError / row.predictedRms;
      assert.ok(
        ratio > 0.6 && ratio < 1.5,
        `m = ${row.batchSize}: measured ${row.rmsError}, predicted ${row.predictedRms}`,
      );
    }
    assert.ok(r.rows[0].rmsError > 2 * r.rows[2].rmsError, "error shrinks with the batch size");
    assert.ok(r.rows[3].rmsError < 1e-12 * r.fullGradNorm, `full batch error ${r.rows[3].rmsError}`);
    disposeTree([init.params, init.state]);
  });
});

describe("weight-space symmetry (8.2.2)", () => {
  const x = deviceBatch(
    blobs,
    Array.from({ length: 32 }, (_, i) => i),
    F64,
  );
  const check = (model: Layer & { layers?: Layer[] }, train: boolean) => {
    const init = model.init(random.randomKey(8), [4], F64);
    const lossOf = (p: Map<string, HostTensor>, s: Map<string, HostTensor>) => {
      const params = treeFromHost(init.params, p, F64);
      const state = treeFromHost(init.state, s, F64);
      const [out, newState] = model.apply(params, state, x.x.ref, { train });
      disposeTree(newState); // apply consumed the state (and may pass it through)
      return modelLoss(
        { kind: "id", init: () => ({ params: {}, state: {}, outputShape: [] }), apply: (_p, st, z) => [z, st] },
        true,
      )({}, {}, out, x.y.ref).item();
    };
    const host = treeToHost(init.params);
    const state = treeToHost(init.state);
    const result = weightSpaceSymmetry(model, host, state, lossOf, random.randomKey(9));
    return { result, host, state, lossOf, init };
  };

  before(() => startEngine());

  it("permuting ReLU units and rescaling them by (α, 1/α) leaves the loss unchanged", () => {
    const { result, init } = check(mlp(3, { width: 6, depth: 2, activation: "relu" }), false);
    assert.deepEqual(
      result.transformed.map((t) => t.name),
      ["permute hidden units", "rescale ReLU units (α, 1/α)"],
    );
    assert.ok(result.maxRelDiff < 1e-13, `${result.maxRelDiff}`);
    disposeTree([init.params, init.state]);
  });

  it("permuting and sign-flipping tanh units leaves it unchanged, rescaling them does not", () => {
    const model = mlp(3, { width: 6, depth: 2, activation: "tanh" });
    const { result, host, state, lossOf, init } = check(model, false);
    assert.deepEqual(
      result.transformed.map((t) => t.name),
      ["permute hidden units", "flip signs of tanh units"],
    );
    assert.ok(result.maxRelDiff < 1e-13, `${result.maxRelDiff}`);
    const blocks = hiddenBlocks(model, host);
    const rescaled = lossOf(
      rescaleHiddenUnits(
        host,
        blocks,
        blocks.map((b) => new Float64Array(b.units).fill(2)),
      ),
      state,
    );
    assert.ok(Math.abs(rescaled - result.loss) > 1e-3 * result.loss, "tanh is not positively homogeneous");
    disposeTree([init.params, init.state]);
  });

  it("permutes batch-norm parameters and running statistics with their units", () => {
    const model = mlp(3, { width: 6, depth: 2, batchNorm: true });
    for (const train of [true, false]) {
      const { result, init } = check(model, train);
      assert.deepEqual(
        result.transformed.map((t) => t.name),
        ["permute hidden units"],
      );
      assert.ok(result.maxRelDiff < 1e-13, `${result.maxRelDiff}`);
      disposeTree([init.params, init.state]);
    }
  });
});

describe("saddle points of a network (8.2.3)", () => {
  before(() => startEngine());

  it(
    "all hidden units identical (zero) with the output bias at the class log-frequencies: a saddle, escaped along " +
      "the most negative eigenvector",
    () => {
      const model = mlp(3, { width: 4, depth: 1, activation: "tanh" });
      const init = model.init(random.randomKey(10), [4], F64);
      const counts = [0, 1, 2].map((c) => Array.from(blobs.y.subarray(0, 48)).filter((v) => v === c).length / 48);
      const host = treeToHost(init.params);
      for (const t of host.values()) t.data.fill(0);
      host.get("3.bias")!.data.set(counts.map(Math.log));
      const params = treeFromHost(init.params, host, F64);
      disposeTree(init.params);
      const { x, y } = deviceBatch(
        blobs,
        Array.from({ length: 48 }, (_, i) => i),
        F64,
      );
      const loss = modelLoss(model, true);
      const op = treeLossHessian(loss, params, [{ data: [init.state, x, y], weight: 1 }], F64);
      const [f, g] = op.valueAndGradient();
      const gradNorm = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
      assert.ok(gradNorm < 1e-14, `‖∇f‖ = ${gradNorm}`);
      const spectrum = extremeEigenpairs(op, { top: 1, bottom: 1, vectors: true });
      assert.ok(spectrum.converged);
      const [lmax, lmin] = [spectrum.top[0].value, spectrum.bottom[0].value];
      assert.equal(classifyPoint(gradNorm, lmin, lmax).kind, "saddle");
      // The Hessian is [[0, C], [Cᵀ, 0]] on (W1, W2) plus a PSD output-bias block: ±σ(C) appear together.
      assert.ok(lmin < -1e-3, `λ_min = ${lmin}`);
      // Along the most negative eigenvector y, f(θ + ty) ≈ f(θ) + ½t²λ_min < f(θ).
      const t = 1e-3;
      const theta = flattenTree(params);
      const moved = unflattenTree(
        params,
        theta.map((v, i) => v + t * spectrum.bottom[0].vector![i]),
        F64,
      );
      const probe = treeLossHessian(loss, moved, [{ data: [init.state, x, y], weight: 1 }], F64);
      const [fMoved] = probe.valueAndGradient();
      assert.ok(
        Math.abs((fMoved - f) / (0.5 * t * t * lmin) - 1) < 1e-2,
        `decrease ${fMoved - f} vs ${0.5 * t * t * lmin}`,
      );
      for (const o of [op, probe]) o.dispose();
      disposeTree([params, moved, init.state, x, y]);
    },
  );
});

describe("recurrent Jacobians (8.2.5)", () => {
  before(() => startEngine());

  it("spectral radius by repeated squaring, including a non-normal matrix whose norm is far above ρ", () => {
    const rot = (a: number, s: number) => [s * Math.cos(a), -s * Math.sin(a), s * Math.sin(a), s * Math.cos(a)];
    assert.ok(Math.abs(spectralRadius({ rows: 2, cols: 2, data: Float64Array.from(rot(0.7, 0.9)) }) - 0.9) < 1e-9);
    assert.ok(Math.abs(spectralRadius({ rows: 2, cols: 2, data: Float64Array.from([0.5, 10, 0, 0.3]) }) - 0.5) < 1e-6);
    assert.equal(spectralRadius({ rows: 2, cols: 2, data: Float64Array.from([0, 1, 0, 0]) }), 0);
  });

  it("∂h_T/∂h_t from the host recurrence matches jax-js autodiff of the rnn layer", () => {
    const [units, features, T] = [5, 3, 6];
    const layer = rnn(units);
    const init = layer.init(random.randomKey(11), [T, features], F64);
    const xs = random.normal(random.randomKey(12), T * features);
    const host = treeToHost(init.params);
    const w = {
      inputWeight: host.get("inputWeight")!,
      recurrentWeight: host.get("recurrentWeight")!,
      bias: host.get("bias")!,
    };
    const states = rnnStates(w, xs, T);
    const P = stateJacobians(w, states);
    // Autodiff: row k of ∂h_T/∂x by a VJP with cotangent e_k on h_T.
    const hT = (x: np.Array) => {
      const [hs, s] = layer.apply(refTree(init.params), refTree(init.state), x, { train: true });
      disposeTree(s);
      return hs.slice([], T - 1, []).reshape([units]);
    };
    const [out, back] = vjp(hT, [toDevice(xs, [1, T, features], F64)]);
    const last = Float64Array.from(out.dataSync() as ArrayLike<number>);
    assert.ok(
      last.every((v, k) => Math.abs(v - states[T - 1][k]) < 1e-14),
      "states",
    );
    for (let k = 0; k < units; k++) {
      const [dx] = back(
        toDevice(
          Array.from({ length: units }, (_, j) => (j === k ? 1 : 0)),
          [units],
          F64,
        ),
      ) as unknown as [np.Array];
      const auto = Float64Array.from(dx.dataSync() as ArrayLike<number>);
      // ∂h_T/∂x_t = P_{T−t} diag(1 − h_t²) Uᵀ.
      for (let t = 0; t < T; t++) {
        const Pt = P[T - 1 - t];
        for (let i = 0; i < features; i++) {
          let s = 0;
          for (let j = 0; j < units; j++)
            s += Pt.data[k * units + j] * (1 - states[t][j] ** 2) * w.inputWeight.data[i * units + j];
          assert.ok(
            Math.abs(s - auto[t * features + i]) < 1e-13,
            `∂h_T[${k}]/∂x_${t}[${i}]: ${s} vs ${auto[t * features + i]}`,
          );
        }
      }
    }
    back.dispose();
    disposeTree(init.params);
  });

  it("the gradient through time vanishes like ρ(W)^{T−t} for a contracting W", () => {
    const units = 8;
    const W = orthogonal()(random.randomKey(13), [units, units]).map((v) => 0.5 * v);
    const w = {
      inputWeight: { shape: [2, units], data: random.normal(random.randomKey(14), 2 * units).map((v) => 0.1 * v) },
      recurrentWeight: { shape: [units, units], data: W },
      bias: { shape: [units], data: new Float64Array(units) },
    };
    const d = recurrentDiagnostics(w, random.normal(random.randomKey(15), 4 * 10 * 2), 4, 10);
    assert.ok(
      Math.abs(d.spectralRadius - 0.5) < 1e-9 && Math.abs(d.spectralNorm - 0.5) < 1e-9,
      `${d.spectralRadius} ${d.spectralNorm}`,
    );
    assert.equal(d.jacobianNorms[0].norm, 1);
    for (const { lag, norm } of d.jacobianNorms) assert.ok(norm <= 0.5 ** lag * (1 + 1e-9), `lag ${lag}: ${norm}`);
    assert.ok(d.jacobianNorms[9].norm > 0.5 ** 9 * 0.5, "tanh' ≈ 1 near 0: close to the linear rate");
  });
});
