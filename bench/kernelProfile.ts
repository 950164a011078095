/**
 * Per-kernel CPU profile of one training step (MLP, CNN or RNN, Adam, as bench/workloads.ts): wraps the Wasm
 * backend's dispatch, times every kernel call in this process's CPU time (robust to a loaded machine),
 * and prints the kernels by total time with their shape (KERNEL_TEXT=n prints n characters of each).
 * Run: `node --import tsx bench/kernelProfile.ts mlp|cnn|rnn [steps] [top]`.
 */
import { jaxInternals } from "../src/engine/jaxChunk.js";
import { disposeTree, precisionOf, random, startEngine, toDevice } from "../src/engine/index.js";
import { setProgramRunnerEnabled } from "../src/engine/gemm/hook.js";
import { cnn, linear, mlp, rnn, sequential, type Layer } from "../src/nn/index.js";
import { book } from "../src/optim/index.js";
import { compileTrainStep, initTrainState, type LossKind, type TrainState } from "../src/train/index.js";

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const textLength = Number(process.env.KERNEL_TEXT ?? 160);

interface KernelSource {
  size: number;
  nargs: number;
  exp: unknown;
  reduction?: { op: string; size: number; epilogue: unknown };
}
type Exe = { source: KernelSource & { name?: string }; data: { program?: { kernelHash: string } } };

/** The bench's workloads (bench/workloads.ts): model, input shape, batch, outputs and loss. */
type Workload = [Layer, number[], number, number, LossKind];
const WORKLOADS: Record<"mlp" | "cnn" | "rnn", () => Workload> = {
  mlp: () => [mlp(10), [784], 128, 10, "cross-entropy"],
  cnn: () => [cnn(10), [28, 28, 1], 64, 10, "cross-entropy"],
  rnn: () => [sequential(rnn(64, { lastOnly: true }), linear(1)), [50, 8], 32, 1, "mse"],
};

export async function kernelProfile(kind: keyof typeof WORKLOADS, steps: number) {
  const { getBackend } = await jaxInternals({ getBackend: "s" });
  const wasm = (getBackend as (d: string) => { dispatch(exe: Exe, i: number[], o: number[]): void })("wasm");
  const [model, inputShape, batch, outputs, loss] = WORKLOADS[kind]();
  const f32 = precisionOf("float32");
  const optimizer = book.adam(1e-3);
  let state: TrainState = initTrainState(model, random.randomKey(0), inputShape, f32, optimizer);
  const size = inputShape.reduce((a, b) => a * b, 1);
  const x = toDevice(random.normal(random.randomKey(1), batch * size), [batch, ...inputShape], f32);
  const labels = new Float32Array(batch * outputs).map((_, i) => (Math.floor(i / 10) % 7 === i % 10 ? 1 : 0));
  const y = toDevice(labels, [batch, outputs], f32);
  const step = compileTrainStep(model, loss, optimizer);
  const run = async () => {
    const [next] = await step.runAsync(state, x.ref, y.ref);
    state = next;
  };
  // The program runner calls kernels itself: off, so that every kernel goes through the timed dispatch.
  setProgramRunnerEnabled(false);
  for (let i = 0; i < 3; i++) await run();
  const totals = new Map<string, { ms: number; calls: number }>();
  const original = wasm.dispatch.bind(wasm);
  wasm.dispatch = (exe, inputs, outputs) => {
    const t0 = cpuMs();
    original(exe, inputs, outputs);
    const ms = cpuMs() - t0;
    const s = exe.source;
    const hash = exe.data.program?.kernelHash ?? "";
    const tag = hash.startsWith("descent-") ? hash.split(":")[0] : "jax";
    const reduction = s.reduction ? `${s.reduction.op}:${s.reduction.size}` : "-";
    const key = s.name
      ? `routine ${s.name}`
      : `${tag} size=${s.size} red=${reduction} ${String(s.exp).slice(0, textLength)}`;
    const entry = totals.get(key) ?? { ms: 0, calls: 0 };
    entry.ms += ms;
    entry.calls++;
    totals.set(key, entry);
  };
  const t0 = cpuMs();
  for (let i = 0; i < steps; i++) await run();
  const total = (cpuMs() - t0) / steps;
  wasm.dispatch = original;
  setProgramRunnerEnabled(true);
  step.dispose();
  disposeTree([state.params, state.modelState, state.optState, x, y]);
  const rows = [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const kernelMs = rows.reduce((a, [, v]) => a + v.ms, 0) / steps;
  return { stepMs: total, kernelMs, kernels: rows.reduce((a, [, v]) => a + v.calls, 0) / steps, rows };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await startEngine();
  const [kind = "cnn", steps = "10", top = "30"] = process.argv.slice(2);
  const r = await kernelProfile(kind as keyof typeof WORKLOADS, Number(steps));
  console.log(`step ${r.stepMs.toFixed(2)} ms, in kernels ${r.kernelMs.toFixed(2)} ms, ${r.kernels} kernels/step`);
  for (const [key, v] of r.rows.slice(0, Number(top)))
    console.log(
      `${(v.ms / Number(steps)).toFixed(3).padStart(7)} ms ${String(v.calls / Number(steps)).padStart(3)}× ${key}`,
    );
}
