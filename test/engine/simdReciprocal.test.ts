import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { jit, numpy as np } from "@jax-js/jax";
import {
  disposeTree,
  gemmStatus,
  precisionOf,
  refTree,
  startEngine,
  toDevice,
  type Tree,
} from "../../src/engine/index.js";
import { setKernelMergeEnabled, setReciprocalEnabled } from "../../src/engine/gemm/hook.js";
import { applyUpdates, book, torch } from "../../src/optim/index.js";

before(async () => {
  await startEngine();
  // Merged optimizer kernels (kernelMerge.ts) divide in their own code: these tests are about jax-js's.
  setKernelMergeEnabled(false);
});
after(() => setKernelMergeEnabled(true));

// 1027 = 4·256 + 3: the vectorised loop and jax-js's scalar tail both run.
const N = 1027;
const values = (phase: number, scale = 1) => Array.from({ length: N }, (_, i) => scale * Math.sin(1.3 * i + phase));
const f32 = (xs: number[]) => toDevice(xs, [N], precisionOf("float32"));

test("a float32 a/b (jax-js: a·(1/b)) is vectorised and equals the host's a·fround(1/b) bit for bit", async () => {
  const [as, bs] = [values(0), values(1, 3).map((b) => b + 3.5)];
  const before = gemmStatus().divisionKernels;
  const divide = jit((a: np.Array, b: np.Array) => a.div(b).add(2));
  const out = await divide(f32(as), f32(bs)).data();
  assert.equal(gemmStatus().divisionKernels - before, 1);
  for (let i = 0; i < N; i++) {
    const want = Math.fround(Math.fround(Math.fround(as[i]) * Math.fround(1 / Math.fround(bs[i]))) + 2);
    assert.equal(out[i], want, `element ${i}`);
  }
  divide.dispose();
});

/** Three steps of an optimizer's jitted update; θ after each, read back. */
async function trajectory(optimizer: ReturnType<typeof book.adam>): Promise<Float32Array[]> {
  let params: Tree = f32(values(2));
  let state = optimizer.init(refTree(params));
  const update = jit((p: Tree, g: Tree, s: Tree) => {
    const [u, next] = optimizer.update(g, s, refTree(p));
    return [applyUpdates(p, u), next] as [Tree, Tree];
  });
  const out: Float32Array[] = [];
  for (let step = 0; step < 3; step++) {
    const [p, s] = update(params as never, f32(values(3 + step, 0.1)) as never, state as never) as unknown as [
      np.Array,
      Tree,
    ];
    [params, state] = [p, s];
    out.push((await p.ref.data()) as Float32Array);
  }
  update.dispose();
  disposeTree([params, state]);
  return out;
}

for (const [name, make] of [
  ["book.adam", () => book.adam(1e-2)],
  ["torch.RMSprop", () => torch.RMSprop({ lr: 1e-2 })],
  ["book.adagrad", () => book.adagrad(1e-2)],
] as const) {
  test(`${name}'s float32 trajectory is bit-identical with and without the vectorised division`, async () => {
    const before = gemmStatus().divisionKernels;
    const vectorised = await trajectory(make());
    assert.ok(gemmStatus().divisionKernels > before, "no kernel was vectorised");
    setReciprocalEnabled(false);
    try {
      const scalar = await trajectory(make());
      assert.deepEqual(vectorised, scalar);
      assert.notDeepEqual(vectorised[0], vectorised[2]);
    } finally {
      setReciprocalEnabled(true);
    }
  });
}
