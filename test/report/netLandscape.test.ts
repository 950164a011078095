import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import {
  startEngine,
  precisionOf,
  random,
  treeFromHost,
  treeToHost,
  disposeTree,
  type HostTensor,
} from "../../src/engine/index.js";
import { gaussianBlobs } from "../../src/data/index.js";
import { deviceBatch, modelLoss } from "../../src/curvature/index.js";
import { mlp } from "../../src/nn/index.js";
import { filterNormalizedDirection, lossOnPlane, projectTrajectory } from "../../src/report/netLandscape.js";

const precision = precisionOf("float64");
const norm = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0));

describe("network landscapes", () => {
  before(async () => {
    await startEngine();
  });

  it("rescales each filter of a random direction to the weights' filter norm and leaves biases alone", () => {
    const params = new Map<string, HostTensor>([
      ["w", { shape: [3, 2], data: Float64Array.from([1, 0, 2, 3, 2, 4]) }],
      ["b", { shape: [2], data: Float64Array.from([5, 6]) }],
    ]);
    const d = filterNormalizedDirection(params, random.randomKey(4));
    const w = d.get("w")!.data;
    // Filter j is column j of the [in, out] weight: ‖(1, 2, 2)‖ = 3 and ‖(0, 3, 4)‖ = 5.
    assert.ok(Math.abs(norm([w[0], w[2], w[4]]) - 3) < 1e-12);
    assert.ok(Math.abs(norm([w[1], w[3], w[5]]) - 5) < 1e-12);
    assert.deepEqual(Array.from(d.get("b")!.data), [0, 0]);
  });

  it("projects a point built from the directions back onto its coefficients", () => {
    const t = (xs: number[]) => new Map([["w", { shape: [2, 2], data: Float64Array.from(xs) }]]);
    const [center, d1, d2] = [t([1, 2, 3, 4]), t([1, 0, 1, 0]), t([1, 1, 0, 2])];
    const point = t(
      [0, 1, 2, 3].map((i) => center.get("w")!.data[i] + 0.3 * d1.get("w")!.data[i] - 0.7 * d2.get("w")!.data[i]),
    );
    const [[a, b]] = projectTrajectory([point], center, d1, d2);
    assert.ok(Math.abs(a - 0.3) < 1e-12 && Math.abs(b + 0.7) < 1e-12, `${a}, ${b}`);
  });

  it("evaluates the loss at θ + a·d₁ + b·d₂ exactly as the loss of the shifted parameters", () => {
    const data = gaussianBlobs({ count: 40, classes: 3, dim: 2, key: random.randomKey(1) });
    const model = mlp(3, { width: 5, depth: 1 });
    const init = model.init(random.randomKey(2), data.xShape, precision);
    const host = treeToHost(init.params);
    const d1 = filterNormalizedDirection(host, random.randomKey(3));
    const d2 = filterNormalizedDirection(host, random.randomKey(4));
    const batch = deviceBatch(
      data,
      Array.from({ length: 40 }, (_, i) => i),
      precision,
    );
    const loss = modelLoss(model, true);
    const dev = (m: Map<string, HostTensor>) => treeFromHost(init.params, m, precision);
    const [base, u, v] = [dev(host), dev(d1), dev(d2)];
    const points: [number, number][] = [
      [0, 0],
      [0.5, -0.25],
      [-1, 1],
    ];
    const onPlane = lossOnPlane(loss, base, u, v, [init.state, batch.x, batch.y], points, precision);
    points.forEach(([a, b], i) => {
      const shifted = new Map(
        [...host].map(([p, t]) => [
          p,
          {
            shape: t.shape,
            data: Float64Array.from(t.data, (x, j) => x + a * d1.get(p)!.data[j] + b * d2.get(p)!.data[j]),
          },
        ]),
      );
      const direct = loss(dev(shifted), init.state, batch.x.ref, batch.y.ref).item();
      // jax-js's jit rounds the loss's JS constants (the mean's 1/m) to float32: agreement to ~1e-8, not 1e-16.
      assert.ok(Math.abs(onPlane[i] - direct) < 1e-7 * Math.max(1, direct), `${onPlane[i]} vs ${direct}`);
    });
    assert.ok(onPlane[2] !== onPlane[0]);
    disposeTree([base, u, v, batch.x, batch.y, init.params]);
  });
});
