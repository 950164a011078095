import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { before, test } from "node:test";
import { grad, jit, lax, numpy as np, valueAndGrad, vmap } from "@jax-js/jax";
import { cpuCompileStatus, setCpuCompileEnabled } from "../../src/engine/cpu/hook.js";
import { compileCpuKernel, type CpuAluNode } from "../../src/engine/cpu/compile.js";
import { indexRange } from "../../src/engine/cpu/ranges.js";
import { startEngine, toDevice } from "../../src/engine/index.js";
import { logisticProblem, mlpProblem } from "../../src/problems/objectives.js";
import { Objective } from "../../src/problems/objective.js";

before(async () => {
  await startEngine();
});

/** The cpu device itself (float64's default device is Wasm). */
const exact = { dtype: np.float64, device: "cpu" as const };
const values = (n: number, phase: number) => Array.from({ length: n }, (_, i) => Math.sin(1.7 * i + phase));
const rows = (m: number, n: number, phase: number) => Array.from({ length: m }, (_, i) => values(n, phase + 0.37 * i));

/** Runs `compute` with compiled kernels and with jax-js's interpreter; returns both results. */
function bothWays(compute: () => Float64Array | Int32Array): [Float64Array | Int32Array, Float64Array | Int32Array] {
  setCpuCompileEnabled(true);
  const compiled = compute();
  setCpuCompileEnabled(false);
  try {
    return [compiled, compute()];
  } finally {
    setCpuCompileEnabled(true);
  }
}

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) => {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) assert.ok(Object.is(a[i], b[i]), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
};

test("the cpu device runs compiled kernels once startEngine has run", () => {
  const status = cpuCompileStatus();
  assert.equal(status.active, true, status.reason);
});

test("logistic regression's value, gradient and Hessian are bit-identical to jax-js's interpreter", () => {
  const problem = logisticProblem(
    rows(60, 7, 0),
    values(60, 3).map((v) => (v > 0 ? 1 : 0)),
    1e-3,
    exact,
  );
  const objective = new Objective(problem, exact);
  const x = values(7, 5).map((v) => v / 2);
  const compiledBefore = cpuCompileStatus().compiled;
  const [a, b] = bothWays(() => {
    objective.forget();
    const [f, g] = objective.valueAndGrad(x);
    return Float64Array.from([f, ...g, ...objective.hessian(x), ...objective.hvp(x, values(7, 9))]);
  });
  sameBits(a, b, "f, g, H, Hv");
  assert.ok(cpuCompileStatus().compiled > compiledBefore, "new kernels were compiled");
  objective.dispose();
  problem.dispose();
});

test("an MLP objective (tanh, log-softmax, matmuls with transposes) is bit-identical, gradient and Hessian", () => {
  const shapes = [[4, 5], [5], [5, 3], [3]];
  const Y = Array.from({ length: 9 }, (_, i) => [0, 1, 2].map((c) => (c === i % 3 ? 1 : 0)));
  const problem = mlpProblem(rows(9, 4, 1), Y, shapes, exact);
  const objective = new Objective(problem, exact);
  const x = values(problem.dim, 2).map((v) => v / 3);
  const [a, b] = bothWays(() => {
    objective.forget();
    const [f, g] = objective.valueAndGrad(x);
    return Float64Array.from([f, ...g, ...objective.hessian(x)]);
  });
  sameBits(a, b, "f, g, H");
  objective.dispose();
  problem.dispose();
});

test("integer, boolean and comparison kernels (argmax, where, casts, max-reductions, vmap) are identical", () => {
  const f = jit((x: np.Array) => {
    const idx = np.argmax(x.ref, 1).astype(np.float64);
    const clipped = np.where(np.greater(x.ref, 0.25), x.ref, np.minimum(x.ref, -0.5));
    const counts = np.greater(x.ref, 0).astype(np.int32).sum(1).astype(np.float64);
    const maxes = np.max(x.ref, 1);
    const floors = np.floor(x.mul(3)).astype(np.int32).astype(np.float64).sum(0);
    return np.concatenate([idx, clipped.reshape([-1]), counts, maxes, floors]);
  });
  const [a, b] = bothWays(() => f(toDevice(values(24, 0.3), [4, 6], exact)).dataSync() as Float64Array);
  sameBits(a, b, "mixed kernel outputs");
  const rowNorms = vmap((r: np.Array) => np.sqrt(np.dot(r.ref, r)));
  const [c, d] = bothWays(() => rowNorms(toDevice(values(24, 1.1), [4, 6], exact)).dataSync() as Float64Array);
  sameBits(c, d, "vmapped norms");
  f.dispose();
});

test("ops left to the node's own evaluate (erf) and routines (Cholesky) give the interpreter's results", () => {
  const erfGrad = jit(grad((x: np.Array) => lax.erf(x).sum()));
  const [a, b] = bothWays(() => erfGrad(toDevice(values(10, 0.2), [10], exact)).dataSync() as Float64Array);
  sameBits(a, b, "grad of erf");
  const spd = [4, 1, 0.5, 1, 3, 0.25, 0.5, 0.25, 2];
  const [c, d] = bothWays(() => np.linalg.cholesky(toDevice(spd, [3, 3], exact)).dataSync() as Float64Array);
  sameBits(c, d, "cholesky");
  assert.ok(Math.abs(c[0] - 2) < 1e-15);
  erfGrad.dispose();
});

test("float64 stays exact: exp and log on the compiled cpu device equal Math.exp and Math.log", () => {
  const xs = values(16, 0.9).map((v) => 3 * v);
  const [e] = valueAndGrad((x: np.Array) => np.exp(x).sum())(toDevice(xs, [16], exact));
  const all = jit((x: np.Array) => np.concatenate([np.exp(x.ref), np.log(np.abs(x).add(0.5))]))(
    toDevice(xs, [16], exact),
  ).dataSync();
  xs.forEach((v, i) => {
    assert.equal(all[i], Math.exp(v));
    assert.equal(all[16 + i], Math.log(Math.abs(v) + 0.5));
  });
  e.dispose();
});

test("a kernel the compiler does not cover is left to the interpreter (unbound variable)", () => {
  const node = (op: string, dtype: string, src: CpuAluNode[], arg: unknown): CpuAluNode => ({
    op,
    dtype,
    src,
    arg,
    evaluate: () => 0,
  });
  const acc = node("Variable", "float64", [], "acc");
  // acc read in an elementwise kernel: jax-js would throw "Missing variable", so we do not compile it.
  assert.equal(compileCpuKernel({ size: 3, dtype: "float64", exp: acc }), undefined);
  const one = node("Const", "float64", [], 1);
  const run = compileCpuKernel({ size: 3, dtype: "float64", exp: node("Add", "float64", [acc, one], undefined) });
  assert.equal(run, undefined);
  const gidx = node("Special", "int32", [], ["gidx", 3]);
  const cast = compileCpuKernel({ size: 3, dtype: "float64", exp: node("Cast", "float64", [gidx], undefined) });
  assert.ok(cast);
  const out = new Float64Array(3);
  cast([], out);
  assert.deepEqual([...out], [0, 1, 2]);
});

test("reads keep jax-js's bounds check unless the index range is proven inside the buffer", () => {
  const node = (op: string, dtype: string, src: CpuAluNode[], arg: unknown = undefined): CpuAluNode => ({
    op,
    dtype,
    src,
    arg,
    evaluate: () => 0,
  });
  const gidx = node("Special", "int32", [], ["gidx", 4]);
  const shifted = node("Add", "int32", [gidx, node("Const", "int32", [], 2)]);
  const read = node("GlobalIndex", "float64", [shifted], [0, 6]);
  const run = compileCpuKernel({ size: 4, dtype: "float64", exp: node("Mul", "float64", [read, read]) });
  assert.ok(run);
  const out = new Float64Array(4);
  run([Float64Array.from([1, 2, 3, 4, 5, 6])], out);
  assert.deepEqual([...out], [9, 16, 25, 36]);
  // gidx + 2 reaches 5: a 5-element buffer fails the entry test and the checked read throws as jax-js's does.
  assert.throws(() => run([Float64Array.from([1, 2, 3, 4, 5])], out), /bufidx out of bounds: 5/);
});

test("index ranges by interval arithmetic (jax-js's shape-tracker indices)", () => {
  const node = (op: string, src: CpuAluNode[], arg: unknown = undefined): CpuAluNode => ({
    op,
    dtype: "int32",
    src,
    arg,
    evaluate: () => 0,
  });
  const c = (v: number) => node("Const", [], v);
  const gidx = node("Special", [], ["gidx", 500]);
  const ridx = node("Special", [], ["ridx", 20]);
  const loops = { gidx: [0, 499], ridx: [0, 19] } as const;
  assert.deepEqual(
    indexRange(node("Add", [node("Mul", [node("Mod", [gidx, c(500)]), c(20)]), ridx]), loops),
    [0, 9999],
  );
  assert.deepEqual(indexRange(node("Idiv", [gidx, c(7)]), loops), [0, 71]);
  assert.deepEqual(indexRange(node("Sub", [ridx, c(3)]), loops), [-3, 16]);
  assert.equal(indexRange(node("Mod", [gidx, ridx]), loops), undefined);
  assert.equal(indexRange({ ...c(1.5), dtype: "float64" }, loops), undefined);
});

test("DESCENT_CPU_COMPILE=0 leaves jax-js's interpreter in place and says so", () => {
  const script = [
    'import { startEngine, cpuCompileStatus } from "./src/engine/index.ts";',
    "await startEngine();",
    "console.log(JSON.stringify(cpuCompileStatus()));",
  ].join("\n");
  const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: fileURLToPath(new URL("../..", import.meta.url)),
    env: { ...process.env, DESCENT_CPU_COMPILE: "0" },
    encoding: "utf8",
  });
  assert.equal(child.status, 0, child.stderr);
  const status = JSON.parse(child.stdout.trim().split("\n").pop() as string);
  assert.equal(status.active, false);
  assert.match(status.reason, /DESCENT_CPU_COMPILE=0/);
});

test("buffers are freed: 200 value-and-gradient evaluations leave the buffer table as they found it", () => {
  const problem = logisticProblem(
    rows(40, 5, 2),
    values(40, 4).map((v) => (v > 0 ? 1 : 0)),
    1e-3,
    exact,
  );
  const objective = new Objective(problem, exact);
  const x = values(5, 1);
  objective.valueAndGrad(x);
  const before = cpuCompileStatus().buffers;
  for (let i = 0; i < 200; i++) {
    x[0] += 1e-3;
    objective.valueAndGrad(x);
    objective.value(x.map((v) => v * 0.5));
  }
  assert.equal(cpuCompileStatus().buffers, before);
  objective.dispose();
  problem.dispose();
});

test("a kernel whose shared subtrees would expand past the size limit is left to the interpreter", () => {
  const gidx: CpuAluNode = { op: "Special", dtype: "int32", src: [], arg: ["gidx", 2], evaluate: () => 0 };
  let shared: CpuAluNode = { op: "Cast", dtype: "float64", src: [gidx], arg: undefined, evaluate: () => 0 };
  // 40 levels of x + x: 2^40 leaves as text, but only 40 distinct nodes.
  for (let i = 0; i < 40; i++)
    shared = { op: "Add", dtype: "float64", src: [shared, shared], arg: undefined, evaluate: () => 0 };
  assert.equal(compileCpuKernel({ size: 2, dtype: "float64", exp: shared }), undefined);
});
