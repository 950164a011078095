import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { jit, numpy as np } from "@jax-js/jax";
import {
  disposeTree,
  gemmStatus,
  precisionOf,
  random,
  refTree,
  startEngine,
  toDevice,
  treeToHost,
  type Tree,
} from "../../src/engine/index.js";
import { setKernelMergeEnabled, setProgramRunnerEnabled, setSimdExpEnabled } from "../../src/engine/gemm/hook.js";
import { elementwiseModuleBytes, type Expr } from "../../src/engine/gemm/elementwiseWasm.js";
import { linear, rnn, sequential } from "../../src/nn/index.js";
import { applyUpdates, book, torch } from "../../src/optim/index.js";
import { compileTrainStep, initTrainState, type TrainState } from "../../src/train/index.js";

before(async () => {
  await startEngine();
});
after(() => {
  setKernelMergeEnabled(true);
  setSimdExpEnabled(true);
  setProgramRunnerEnabled(true);
});

// 1027 = 4·256 + 3: the vector loop and the scalar tail both run.
const N = 1027;
const values = (phase: number, scale = 1) => Array.from({ length: N }, (_, i) => scale * Math.sin(1.3 * i + phase));

test("the generated multi-output kernel computes each expression with float32 rounding, in tree order", () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const [a, b, c] = [values(0), values(1).map((x) => x + 2), [0.37]];
  const f = new Float32Array(memory.buffer);
  // Inputs at 0, N, 2N (c: one scalar), outputs after them.
  f.set(a, 0);
  f.set(b, N);
  f.set(c, 2 * N);
  const [pa, pb, pc, out0, out1] = [0, N, 2 * N, 2 * N + 4, 3 * N + 4].map((i) => 4 * i);
  const exprs: Expr[] = [
    {
      op: "add",
      src: [
        {
          op: "mul",
          src: [
            { op: "load", arg: 0 },
            { op: "splat", arg: 2, element: 0 },
          ],
        },
        { op: "const", value: 0.1 },
      ],
    },
    {
      op: "max",
      src: [
        {
          op: "div",
          src: [
            { op: "sqrt", src: [{ op: "load", arg: 1 }] },
            { op: "output", index: 0 },
          ],
        },
        { op: "const", value: -1 },
      ],
    },
  ];
  const module = new WebAssembly.Module(elementwiseModuleBytes("float32", 3, exprs));
  const kernel = new WebAssembly.Instance(module, { env: { memory } }).exports.kernel as (...args: number[]) => void;
  kernel(pa, pb, pc, out0, out1, 0, N);
  const r = Math.fround;
  for (let i = 0; i < N; i++) {
    const first = r(r(r(a[i]) * r(c[0])) + r(0.1));
    assert.equal(f[out0 / 4 + i], first, `out0[${i}]`);
    assert.equal(f[out1 / 4 + i], Math.max(r(r(Math.sqrt(r(b[i]))) / first), -1), `out1[${i}]`);
  }
});

/** θ and the optimizer state after three jitted update steps on one vector of N parameters. */
async function trajectory(make: () => ReturnType<typeof book.adam>, precision: "float32" | "float64-fast") {
  const vector = (xs: number[]) => toDevice(xs, [N], precisionOf(precision));
  const optimizer = make();
  let params: Tree = vector(values(2));
  let state = optimizer.init(refTree(params));
  const update = jit((p: Tree, g: Tree, s: Tree) => {
    const [u, next] = optimizer.update(g, s, refTree(p));
    return [applyUpdates(p, u), next] as [Tree, Tree];
  });
  for (let step = 0; step < 3; step++)
    [params, state] = update(params as never, vector(values(3 + step, 0.1)) as never, state as never) as unknown as [
      Tree,
      Tree,
    ];
  const host = [...treeToHost(params).values(), ...treeToHost(state).values()].map((t) => t.data);
  update.dispose();
  disposeTree([params, state]);
  return host;
}

for (const precision of ["float32", "float64-fast"] as const)
  for (const [name, make] of [
    ["book.adam", () => book.adam(1e-2)],
    ["torch.Adam", () => torch.Adam({ lr: 1e-2 })],
  ] as const)
    test(
      `${name} (${precision}): m', v' and θ' run as one kernel, bit-identical to three, with and without the ` +
        `runner`,
      async () => {
        for (const runner of [true, false]) {
          setProgramRunnerEnabled(runner);
          setKernelMergeEnabled(false);
          const separate = await trajectory(make, precision);
          setKernelMergeEnabled(true);
          const before = gemmStatus().kernelsMerged;
          const merged = await trajectory(make, precision);
          assert.equal(gemmStatus().kernelsMerged - before, 2 * 3, "m' and v' merged into θ' at each of 3 steps");
          assert.deepEqual(merged, separate);
        }
      },
    );

test("a producer read element for element is merged; one read through a transposed view is not", async () => {
  setKernelMergeEnabled(true);
  const square = toDevice(values(4).slice(0, 1024), [32, 32], precisionOf("float32"));
  const count = async (f: (a: np.Array) => np.Array[]) => {
    const before = gemmStatus().kernelsMerged;
    const g = jit(f);
    for (const out of g(square.ref)) await out.data();
    g.dispose();
    return gemmStatus().kernelsMerged - before;
  };
  // m is an output (so it is materialised) and read element for element by y: merged.
  assert.equal(
    await count((a) => {
      const m = a.mul(2);
      return [m.ref, np.sqrt(m.add(1))];
    }),
    1,
  );
  // y reads m transposed: the merged kernel could not hand it over in a register.
  assert.equal(
    await count((a) => {
      const m = a.mul(2);
      return [m.ref, np.sqrt(m.transpose().add(1))];
    }),
    0,
  );
  square.dispose();
});

/** Losses and parameters after 3 Adam steps of a small RNN regression (its tanh and backward kernels merge too). */
async function rnnTrajectory(): Promise<unknown[]> {
  const f32 = precisionOf("float32");
  const model = sequential(rnn(8, { lastOnly: true }), linear(1));
  const optimizer = book.adam(1e-2);
  let state: TrainState = initTrainState(model, random.randomKey(0), [6, 3], f32, optimizer);
  const x = toDevice(random.normal(random.randomKey(1), 4 * 18), [4, 6, 3], f32);
  const y = toDevice(random.normal(random.randomKey(2), 4), [4, 1], f32);
  const step = compileTrainStep(model, "mse", optimizer);
  const out: unknown[] = [];
  for (let i = 0; i < 3; i++) {
    const [next, stats] = await step.runAsync(state, x.ref, y.ref);
    state = next;
    out.push(stats.loss);
  }
  out.push(...[...treeToHost(state.params).values()].map((t) => t.data));
  step.dispose();
  disposeTree([state.params, state.modelState, state.optState, x, y]);
  return out;
}

test("an RNN training step (merged tanh, backward and Adam kernels) is bit-identical merged and unmerged", async () => {
  setKernelMergeEnabled(false);
  const separate = await rnnTrajectory();
  setKernelMergeEnabled(true);
  const before = gemmStatus().kernelsMerged;
  const merged = await rnnTrajectory();
  // Adam alone merges 2 kernels per parameter leaf (5 leaves) per step.
  assert.ok(gemmStatus().kernelsMerged - before > 3 * 10, "kernels beyond Adam's were merged");
  assert.deepEqual(merged, separate);
});

test(
  "float32 exp kernels run vectorised, bit-identical to jax-js's scalar exp (overflow, underflow, NaN, " + "±0)",
  async () => {
    const special = [
      0,
      -0,
      1,
      -1,
      88.7,
      88.8,
      89,
      -87.3,
      -87.4,
      -103,
      -104,
      1e-30,
      -1e-30,
      Infinity,
      -Infinity,
      Number.NaN,
    ];
    // Special values in the vector lanes (first) and in the scalar tail (last three).
    const tail = [Number.NaN, -104, Infinity];
    const inputs = Array.from({ length: N }, (_, i) =>
      i < special.length ? special[i] : i >= N - 3 ? tail[i - N + 3] : (i - N / 2) * 0.23,
    );
    const f = jit((a: np.Array) => np.exp(a.ref.mul(1.5)).add(np.exp(a)));
    const run = async (on: boolean) => {
      setSimdExpEnabled(on);
      return (await f(toDevice(inputs, [N], precisionOf("float32"))).data()) as Float32Array;
    };
    const scalar = await run(false);
    const before = gemmStatus().expKernels;
    const vectorised = await run(true);
    assert.equal(gemmStatus().expKernels - before, 1);
    assert.deepEqual(new Uint32Array(vectorised.buffer), new Uint32Array(scalar.buffer));
    assert.ok(Number.isNaN(vectorised[15]) && vectorised[13] === Infinity && vectorised[14] === 0);
    assert.ok(Number.isNaN(vectorised[N - 3]) && vectorised[N - 2] === 0 && vectorised[N - 1] === Infinity);
    f.dispose();
  },
);
