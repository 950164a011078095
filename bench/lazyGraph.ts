/**
 * The lazy-graph trap, measured: `minimize` with torch.Adam on a hand-written 10-D Rosenbrock for 5 000
 * steps, timing each step through the callback. Prints the mean step time of the last 500 steps over that
 * of steps 100–600 (a graph that grows across steps makes this ratio climb; flat is about 1), in wall time
 * and in this process's CPU time (user + system): on a shared machine the CPU time is the steady measure.
 *
 * With --own-loop it also runs a hand-written loop (grad + optim.torch.Adam, 300 steps) twice: once calling
 * `engine.realize(θ)` each step and once reading nothing, which shows the trap itself (minutes, not seconds).
 *
 *   node --import tsx bench/lazyGraph.ts [--steps N] [--own-loop] [--json]
 */
import { fileURLToPath } from "node:url";
import { engine, grad, minimize, numpy as np, optim, tree } from "../src/index.js";

const rosenbrock = (n: number) => (x: np.Array) => {
  const head = x.ref.slice([0, n - 1]);
  const tail = x.slice([1, n]);
  return np
    .square(tail.sub(np.square(head.ref)))
    .mul(100)
    .add(np.square(head.neg().add(1)))
    .sum();
};

interface Window {
  earlyMs: number;
  lateMs: number;
  ratio: number;
}

export interface LazyGraphResult {
  steps: number;
  wall: Window;
  cpu: Window;
  fun: number;
}

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Mean ms/step of steps 100–600 and of the last 500, and their ratio. */
export async function lazyGraphBench(steps = 5000): Promise<LazyGraphResult> {
  if (!(steps >= 1100)) throw new Error(`--steps must be at least 1100 (two windows of 500), got ${steps}`);
  await engine.startEngine();
  const n = 10;
  const x0 = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
  const [wall, cpu] = [[performance.now()], [cpuMs()]];
  const stamp = () => (wall.push(performance.now()), cpu.push(cpuMs()));
  const result = minimize(rosenbrock(n), x0, {
    method: "torch.Adam",
    options: { lr: 1e-3 },
    maxIter: steps,
    callback: stamp,
  });
  const window = (stamps: number[]): Window => {
    const mean = (from: number, to: number) => (stamps[to] - stamps[from]) / (to - from);
    const [earlyMs, lateMs] = [mean(100, 600), mean(steps - 500, steps)];
    return { earlyMs, lateMs, ratio: lateMs / earlyMs };
  };
  return { steps, wall: window(wall), cpu: window(cpu), fun: result.fun };
}

/** Mean CPU ms/step over steps 0–100 and 200–300 of a hand-written Adam loop, realizing θ each step or never. */
export function ownLoopBench(realizeEachStep: boolean): Window {
  const n = 10;
  const adam = optim.torch.Adam({ lr: 1e-3 });
  let x: np.Array = np.array(Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1))); // float32, on Wasm
  let state = adam.init(x.ref);
  const gradient = grad(rosenbrock(n));
  const stamps = [cpuMs()];
  for (let k = 0; k < 300; k++) {
    const [updates, next] = adam.update(gradient(x.ref), state, x.ref);
    state = next;
    x = optim.applyUpdates(x, updates) as np.Array;
    if (realizeEachStep) engine.realize(x);
    stamps.push(cpuMs());
  }
  x.dispose();
  tree.dispose(state);
  const [earlyMs, lateMs] = [(stamps[100] - stamps[0]) / 100, (stamps[300] - stamps[200]) / 100];
  return { earlyMs, lateMs, ratio: lateMs / earlyMs };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--steps");
  const r = await lazyGraphBench(at >= 0 ? Number(args[at + 1]) : 5000);
  const ownLoop = args.includes("--own-loop") ? { realized: ownLoopBench(true), lazy: ownLoopBench(false) } : undefined;
  if (args.includes("--json")) console.log(JSON.stringify({ ...r, ownLoop }));
  else {
    const line = (label: string, w: Window) =>
      `${label}: ${w.earlyMs.toFixed(3)} ms/step (steps 100–600), ${w.lateMs.toFixed(3)} ms/step (last 500), ratio ` +
      `${w.ratio.toFixed(2)}`;
    console.log(`minimize torch.Adam on rosenbrock10, ${r.steps} steps (f = ${r.fun.toExponential(3)})`);
    console.log(line("  CPU time ", r.cpu));
    console.log(line("  wall time", r.wall));
    if (ownLoop) {
      const own = (label: string, w: Window) =>
        `${label}: ${w.earlyMs.toFixed(2)} ms/step (steps 0–100), ${w.lateMs.toFixed(2)} ms/step (steps 200–300), ` +
        `ratio ${w.ratio.toFixed(2)}`;
      console.log("hand-written loop, grad + optim.torch.Adam, 300 steps, CPU time");
      console.log(own("  engine.realize(θ) each step", ownLoop.realized));
      console.log(own("  nothing read (the trap)    ", ownLoop.lazy));
    }
  }
}
