/**
 * The RNN's gradient against back-propagation through time written out in plain JS (float64, the
 * precision policy's exact device): rnn.ts projects each step's input slice separately, and the
 * gradients must be those of h_t = tanh(x_t U + h_{t−1} W + b) to rounding, for every state and for
 * the last one alone.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { grad } from "@jax-js/jax";
import { refTree, startEngine, treeToHost, type Tree } from "../../src/engine/index.js";
import { rnn } from "../../src/nn/index.js";
import { dev, randn, rnnRef, type Host } from "./helpers.js";

before(async () => {
  await startEngine();
});

/** d(Σ cot ⊙ H)/d(U, W, b) for the states H of h_t = tanh(x_t U + h_{t−1} W + b), h_{−1} = 0. */
function bpttRef(x: Host, u: Host, w: Host, b: Float64Array, cot: Float64Array) {
  const [n, time, features] = x.shape;
  const units = b.length;
  const [dU, dW, db] = [new Float64Array(features * units), new Float64Array(units * units), new Float64Array(units)];
  const states = rnnRef(x, u, w, b).data;
  for (let e = 0; e < n; e++) {
    const hs = Array.from({ length: time }, (_, t) =>
      states.subarray((e * time + t) * units, (e * time + t + 1) * units),
    );
    let dh = new Float64Array(units);
    for (let t = time - 1; t >= 0; t--) {
      const dz = dh.map((d, k) => (d + cot[(e * time + t) * units + k]) * (1 - hs[t][k] ** 2));
      const prev = t > 0 ? hs[t - 1] : new Float64Array(units);
      for (let k = 0; k < units; k++) {
        db[k] += dz[k];
        for (let i = 0; i < features; i++) dU[i * units + k] += x.data[(e * time + t) * features + i] * dz[k];
        for (let j = 0; j < units; j++) dW[j * units + k] += prev[j] * dz[k];
      }
      dh = new Float64Array(units).map((_, j) => dz.reduce((s, d, k) => s + d * w.data[j * units + k], 0));
    }
  }
  return { inputWeight: dU, recurrentWeight: dW, bias: db };
}

for (const lastOnly of [false, true])
  test(`rnn(${lastOnly ? "lastOnly" : "all states"}): gradients equal plain-JS BPTT in float64`, () => {
    const [n, time, features, units] = [3, 7, 4, 5];
    const x = randn(1, [n, time, features]);
    const u = randn(2, [features, units], 0.5);
    const w = randn(3, [units, units], 0.4);
    const b = randn(4, [units], 0.3).data;
    const cot = randn(5, [n, time, units]).data;
    // lastOnly: only the last state carries a cotangent.
    if (lastOnly) cot.forEach((_, i) => Math.floor(i / units) % time !== time - 1 && (cot[i] = 0));
    const lastCot = cot.filter((_, i) => Math.floor(i / units) % time === time - 1);
    const layer = rnn(units, { lastOnly });
    const loss = (p: Tree) => {
      const [y] = layer.apply(p, {}, dev(x), { train: true });
      return y.mul(dev({ shape: y.shape, data: lastOnly ? lastCot : cot })).sum();
    };
    const params = { inputWeight: dev(u), recurrentWeight: dev(w), bias: dev({ shape: [units], data: b }) };
    const got = treeToHost(grad(loss)(refTree(params)) as Tree);
    const want = bpttRef(x, u, w, b, cot);
    for (const [name, ref] of Object.entries(want)) {
      const data = got.get(name)?.data;
      assert.ok(data, name);
      ref.forEach((v, i) =>
        assert.ok(Math.abs(v - data[i]) <= 1e-12 * (1 + Math.abs(v)), `${name}[${i}]: ${v} vs ${data[i]}`),
      );
    }
  });
