import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { jit, numpy as np, valueAndGrad } from "@jax-js/jax";
import { exactFloat64Status, setExactFloat64Enabled, startEngine } from "../../src/engine/index.js";
import { pointerModuleBytes } from "../../src/engine/f64/pointerModule.js";
import { setProgramRunnerEnabled } from "../../src/engine/gemm/hook.js";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Deterministic pseudo-random numbers in [lo, hi) (a linear congruential generator). */
function uniform(n: number, lo: number, hi: number, seed = 12345): Float64Array {
  const out = new Float64Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = lo + (hi - lo) * (s / 2147483648);
  }
  return out;
}

const onWasm = (values: Float64Array) => np.array(values, { dtype: np.float64, device: "wasm" });

/** Largest relative error of f on Wasm (under jit) against a JavaScript reference. */
function worstError(f: (x: np.Array) => np.Array, reference: (v: number) => number, xs: Float64Array): number {
  const got = (jit(f) as (x: np.Array) => np.Array)(onWasm(xs)).dataSync();
  let worst = 0;
  xs.forEach((v, i) => {
    const want = reference(v);
    worst = Math.max(worst, Math.abs(got[i] - want) / Math.max(Math.abs(want), Number.MIN_VALUE));
  });
  return worst;
}

const half = () => np.full([], 2.5, { dtype: np.float64 });
const FUNCTIONS: [string, (x: np.Array) => np.Array, (v: number) => number, number, number][] = [
  ["exp", np.exp, Math.exp, -30, 30],
  ["log", np.log, Math.log, 1e-6, 1e6],
  ["log1p", np.log1p, Math.log1p, -0.9, 10],
  ["expm1", np.expm1, Math.expm1, -5, 5],
  ["tanh", np.tanh, Math.tanh, -5, 5],
  ["sigmoid", (x) => np.reciprocal(np.exp(np.negative(x)).add(1)), (v) => 1 / (1 + Math.exp(-v)), -20, 20],
  ["power", (x) => np.power(x, half()), (v) => v ** 2.5, 0, 10],
  ["sin", np.sin, Math.sin, -10, 10],
  ["cos", np.cos, Math.cos, -10, 10],
  ["atan", np.atan, Math.atan, -10, 10],
];

describe("exact float64 on Wasm (engine/f64)", () => {
  before(() => startEngine());

  it("is installed", () => {
    const status = exactFloat64Status();
    assert.equal(status.active, true, status.reason);
  });

  for (const [name, f, reference, lo, hi] of FUNCTIONS) {
    it(`computes ${name} to 1e-15 relative on 4000 random inputs in [${lo}, ${hi}]`, () => {
      const before = exactFloat64Status().calls;
      const worst = worstError(f, reference, uniform(4000, lo, hi));
      assert.ok(worst <= 1e-15, `${name}: ${worst}`);
      assert.ok(exactFloat64Status().calls > before, "the kernel was not routed to the exact path");
    });
  }

  it("runs eagerly (jax-js's dispatch), under jit with the program runner and under jit without it", () => {
    const xs = uniform(500, -20, 20, 5);
    const check = (got: ArrayLike<number>, what: string) =>
      xs.forEach((v, i) => assert.ok(Math.abs(got[i] - Math.exp(v)) <= 1e-15 * Math.exp(v), `${what}: exp(${v})`));
    const before = exactFloat64Status().calls;
    check(np.exp(onWasm(xs)).dataSync(), "eager");
    for (const runner of [true, false]) {
      setProgramRunnerEnabled(runner);
      const f = jit((x: np.Array) => np.exp(x.mul(2)).mul(0.5));
      try {
        const got = f(onWasm(xs)).dataSync();
        xs.forEach((v, i) => {
          const want = Math.exp(v * 2) * 0.5;
          assert.ok(Math.abs(got[i] - want) <= 1e-15 * want, `runner ${runner}: ${got[i]} vs ${want}`);
        });
      } finally {
        f.dispose();
        setProgramRunnerEnabled(true);
      }
    }
    assert.ok(exactFloat64Status().calls >= before + 3);
  });

  it("is what fixes them: jax-js's own Wasm float64 exp and log are float32-accurate", () => {
    setExactFloat64Enabled(false);
    try {
      assert.ok(worstError(np.exp, Math.exp, uniform(1000, -30, 30, 7)) > 1e-9);
      assert.ok(worstError(np.log, Math.log, uniform(1000, 1e-6, 1e6, 7)) > 1e-9);
    } finally {
      setExactFloat64Enabled(true);
    }
  });

  it("leaves float32 kernels to jax-js (bit-identical with the path off)", () => {
    const xs = Float32Array.from(uniform(1000, -10, 10, 3));
    const run = () => np.tanh(np.exp(np.array(xs, { dtype: np.float32, device: "wasm" }))).dataSync();
    const before = exactFloat64Status().calls;
    const on = run();
    assert.equal(exactFloat64Status().calls, before);
    setExactFloat64Enabled(false);
    try {
      assert.deepEqual(on, run());
    } finally {
      setExactFloat64Enabled(true);
    }
  });

  it("agrees with the cpu device on a logistic loss and its gradient (value+grad, under jit)", () => {
    const [n, d] = [200, 7];
    const xs = uniform(n * d, -2, 2, 11);
    const ys = uniform(n, 0, 1, 13).map((u) => (u < 0.5 ? 0 : 1));
    const w0 = uniform(d, -1, 1, 17);
    const run = (device: "wasm" | "cpu") => {
      const put = (v: Float64Array, shape: number[]) => np.array(v, { dtype: np.float64, device }).reshape(shape);
      const [X, y] = [put(xs, [n, d]), put(ys, [n])];
      const loss = (w: np.Array) => {
        const z = np.matmul(X.ref, w);
        // log(1 + e^z) − y·z, summed: exp and log1p both on the exact path.
        return np.log1p(np.exp(z.ref)).sub(z.mul(y.ref)).sum();
      };
      const [value, grad] = (jit(valueAndGrad(loss)) as (w: np.Array) => [np.Array, np.Array])(put(w0, [d]));
      const out = [value.dataSync()[0], ...grad.dataSync()];
      X.dispose();
      y.dispose();
      return out;
    };
    const [wasm, cpu] = [run("wasm"), run("cpu")];
    wasm.forEach((v, i) =>
      assert.ok(Math.abs(v - cpu[i]) <= 1e-13 * Math.max(1, Math.abs(cpu[i])), `${i}: ${v} vs ${cpu[i]}`),
    );
  });

  it("builds valid pointer modules for plain and shared memory", () => {
    for (const shared of [false, true]) {
      assert.ok(WebAssembly.validate(pointerModuleBytes(65, 1 << 20, shared)));
      assert.ok(WebAssembly.validate(pointerModuleBytes(1, "self", shared)));
      assert.ok(WebAssembly.validate(pointerModuleBytes(3, 2 ** 31 + 64, shared)));
    }
  });

  it("DESCENT_EXACT_F64=0 leaves the Wasm backend alone, and float64 falls back to the exact cpu device", () => {
    const script = [
      'import { startEngine, exactFloat64Status, precisionOf } from "./src/engine/index.js";',
      "await startEngine();",
      "console.log(JSON.stringify({ ...exactFloat64Status(), device: precisionOf('float64').device }));",
    ].join("\n");
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      env: { ...process.env, DESCENT_EXACT_F64: "0" },
      encoding: "utf8",
    });
    assert.equal(child.status, 0, child.stderr);
    const status = JSON.parse(child.stdout.trim().split("\n").pop() as string);
    assert.equal(status.active, false);
    assert.match(status.reason, /DESCENT_EXACT_F64=0/);
    assert.equal(status.device, "cpu");
  });

  it("is exact on the asynchronous path too when the Node preload made jax-js's memory shared (eager and jit)", () => {
    // nodeSetup first, as the descent binary and src/index.ts load it: the memory is shared, Descent's pool owns it.
    const script = [
      'import "./src/engine/nodeSetup.js";',
      'import { jit, numpy as np } from "@jax-js/jax";',
      'import { startEngine, threadStatus } from "./src/engine/index.js";',
      "await startEngine();",
      "const xs = Float64Array.from({ length: 4096 }, (_, i) => -20 + (40 * i) / 4096);",
      "const input = () => np.array(xs, { dtype: np.float64 });",
      "const results = [await np.exp(input()).data(), await jit(np.exp)(input()).data()];",
      "const worst = results.map((got) => Math.max(...Array.from(xs, (v, i) => Math.abs(got[i] / Math.exp(v) - 1))));",
      "console.log(JSON.stringify({ worst, shared: threadStatus().sharedMemory }));",
    ].join("\n");
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      env: { ...process.env, DESCENT_THREADS: "" },
      encoding: "utf8",
    });
    assert.equal(child.status, 0, child.stderr);
    const { worst, shared } = JSON.parse(child.stdout.trim().split("\n").pop() as string);
    assert.equal(shared, true);
    assert.deepEqual(worst, [0, 0]);
  });
});
