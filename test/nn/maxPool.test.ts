/**
 * maxPool2d's subgradient at ties (src/nn/shape.ts): the whole cotangent goes to the first maximal
 * element of each window in row-major window order (PyTorch's max_pool2d rule), checked exactly in
 * float64 against a plain-JS reference on inputs with many ties, eagerly and under jit, for 2×2 and
 * 3×3 windows with cropped edges.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { grad, jit, numpy as np } from "@jax-js/jax";
import { startEngine } from "../../src/engine/index.js";
import { maxPool2d } from "../../src/nn/index.js";
import { dev, host, randn, sizeOf, type Host } from "./helpers.js";

before(async () => {
  await startEngine();
});

/** d(Σ pool(x) ⊙ w)/dx with every window's cotangent on its first maximal element. */
function firstMaxGradRef(x: Host, w: Host, size: number): Float64Array {
  const [n, h, wd, c] = x.shape;
  const [ho, wo] = [Math.floor(h / size), Math.floor(wd / size)];
  const dx = new Float64Array(x.data.length);
  for (let e = 0; e < n; e++)
    for (let a = 0; a < ho; a++)
      for (let b = 0; b < wo; b++)
        for (let ch = 0; ch < c; ch++) {
          let best = -1;
          for (let i = 0; i < size; i++)
            for (let j = 0; j < size; j++) {
              const k = ((e * h + a * size + i) * wd + b * size + j) * c + ch;
              if (best < 0 || x.data[k] > x.data[best]) best = k;
            }
          dx[best] += w.data[((e * ho + a) * wo + b) * c + ch];
        }
  return dx;
}

for (const [size, shape] of [
  [2, [2, 5, 6, 3]],
  [3, [2, 7, 6, 2]],
] as const) {
  test(`maxPool2d ${size}×${size} on [${shape}]: ties send the gradient to the first maximum`, () => {
    // Values in {-1, 0, 1}: most windows hold ties, many of them on every element.
    const x: Host = { shape: [...shape], data: randn(1, [...shape]).data.map((v) => Math.sign(Math.round(v))) };
    const layer = maxPool2d(size);
    const [, ho, wo, c] = [0, Math.floor(shape[1] / size), Math.floor(shape[2] / size), shape[3]];
    const w = randn(2, [shape[0], ho, wo, c]);
    const loss = (xs: np.Array) => layer.apply([], [], xs, { train: true })[0].mul(dev(w)).sum();
    const expected = firstMaxGradRef(x, w, size);
    const ties = x.data.filter((v) => v === 1).length;
    assert.ok(ties > sizeOf([...shape]) / 8, "the input has ties");
    for (const [mode, g] of [
      ["eager", grad(loss)],
      ["jit", jit(grad(loss))],
    ] as const) {
      const dx = host(g(dev(x)) as np.Array);
      assert.deepEqual(Array.from(dx.data), Array.from(expected), `${mode} gradient`);
    }
  });
}

test("maxPool2d keeps float64 (no float32 rounding of the pooled values)", () => {
  const x = dev({ shape: [1, 2, 2, 1], data: Float64Array.of(1 + 2 ** -40, 1, 0, 1) });
  const y = maxPool2d(2).apply([], [], x, { train: false })[0];
  assert.deepEqual(Array.from(y.dataSync() as ArrayLike<number>), [1 + 2 ** -40]);
});
