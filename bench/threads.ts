/**
 * Descent's thread pool (src/engine/threads/) on the MLP Adam step (784-256-256-10, batch 128, as
 * bench/workloads.ts): one process with DESCENT_THREADS=n, rounds interleaved between the pool on and
 * off (setThreadsEnabled), medians of wall time, of the process's CPU time (all threads) and of the
 * main thread's CPU time (Linux schedstat: about the wall time the step would take if this thread were
 * never descheduled, a fairer figure than wall time on a shared machine). Load average printed beside.
 * `node --import tsx bench/threads.ts [--model mlp|cnn] [--threads 2] [--rounds 7] [--calls 20] [--json]`;
 * `--memory [--pairs 3]`: one thread on plain memory against one thread on shared memory (sharedMemoryCost).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";

export interface ThreadsBench {
  model: "mlp" | "cnn";
  threads: number;
  loadavg: number[];
  /** Per setting ("one" thread, "pool"): medians in ms per step. */
  one: StepTimes;
  pool: StepTimes;
  /** Share of the pool's tiles the main thread ran itself. */
  mainTileShare: number;
}
interface StepTimes {
  wallMs: number;
  cpuMs: number;
  mainThreadCpuMs: number | null;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
const processCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
/** This thread's time on a CPU, in ms (Linux; null elsewhere). */
const mainThreadCpuMs = (): number | null => {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, "utf8").split(" ")[0]) / 1e6;
  } catch {
    return null;
  }
};

async function child(rounds: number, calls: number, kind: "mlp" | "cnn"): Promise<ThreadsBench> {
  await import("../src/engine/nodeSetup.js");
  const { disposeTree, precisionOf, random, startEngine, toDevice } = await import("../src/engine/index.js");
  const { setThreadsEnabled, threadStatus, threadsReady } = await import("../src/engine/threads/install.js");
  const { cnn, mlp } = await import("../src/nn/index.js");
  const { book } = await import("../src/optim/index.js");
  const { compileTrainStep, initTrainState } = await import("../src/train/index.js");
  await startEngine();
  const status = await threadsReady();
  // DESCENT_THREADS=1: jax-js's plain memory, one setting (for the shared-vs-plain comparison).
  const plain = process.env.DESCENT_THREADS === "1";
  if (status.threads < 2 && !plain) throw new Error(`the pool did not start: ${status.reason}`);
  const f32 = precisionOf("float32");
  // As bench/workloads.ts: the MLP on batches of 128, the CNN on batches of 64.
  const [model, inputShape, batch] = kind === "mlp" ? [mlp(10), [784], 128] : [cnn(10), [28, 28, 1], 64];
  const size = inputShape.reduce((a, b) => a * b, 1);
  const optimizer = book.adam(1e-3);
  let state = initTrainState(model, random.randomKey(0), inputShape, f32, optimizer);
  const x = toDevice(random.normal(random.randomKey(1), batch * size), [batch, ...inputShape], f32);
  const labels = new Float32Array(batch * 10).map((_, i) => (Math.floor(i / 10) % 7 === i % 10 ? 1 : 0));
  const y = toDevice(labels, [batch, 10], f32);
  const step = compileTrainStep(model, "cross-entropy", optimizer);
  const run = async () => {
    [state] = await step.runAsync(state, x.ref, y.ref);
  };
  const samples = { one: [] as number[][], pool: [] as number[][] };
  for (let round = -1; round < rounds; round++)
    for (const setting of plain ? (["one"] as const) : (["pool", "one"] as const)) {
      setThreadsEnabled(setting === "pool");
      await run(); // kernels are prepared anew after a switch
      const [w0, c0, m0] = [performance.now(), processCpuMs(), mainThreadCpuMs()];
      for (let i = 0; i < calls; i++) await run();
      const main = m0 === null ? Number.NaN : (mainThreadCpuMs()! - m0) / calls;
      if (round >= 0) samples[setting].push([(performance.now() - w0) / calls, (processCpuMs() - c0) / calls, main]);
    }
  setThreadsEnabled(true);
  step.dispose();
  disposeTree([state.params, state.modelState, state.optState, x, y]);
  const times = (rows: number[][]): StepTimes => {
    const main = median(rows.map((r) => r[2]));
    return { wallMs: median(rows.map((r) => r[0])), cpuMs: median(rows.map((r) => r[1])), mainThreadCpuMs: main };
  };
  const counts = threadStatus();
  return {
    model: kind,
    threads: status.threads,
    loadavg: loadavg(),
    one: times(samples.one),
    pool: plain ? times([[Number.NaN, Number.NaN, Number.NaN]]) : times(samples.pool),
    mainTileShare: plain ? Number.NaN : counts.mainTiles / counts.tiles,
  };
}

/** Runs the A/B in a child process whose jax-js memory is shared and whose pool has `threads` threads. */
export function threadsBench(
  opts: { threads?: number; rounds?: number; calls?: number; model?: "mlp" | "cnn" } = {},
): ThreadsBench {
  return spawnChild(opts.threads ?? 2, opts.rounds ?? 7, opts.calls ?? 20, opts.model ?? "mlp");
}

function spawnChild(threads: number, rounds: number, calls: number, model: "mlp" | "cnn" = "mlp"): ThreadsBench {
  const args = [`--rounds`, String(rounds), `--calls`, String(calls), "--model", model];
  const run = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--child", ...args], {
    encoding: "utf8",
    env: { ...process.env, DESCENT_THREADS: String(threads) },
  });
  if (run.status !== 0) throw new Error(`bench/threads.ts child failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").pop()!) as ThreadsBench;
}

export function threadsTable(result: ThreadsBench): string {
  const fmt = (v: number | null) => (v === null || Number.isNaN(v) ? "n/a" : v.toFixed(2));
  const row = (name: string, t: StepTimes) =>
    `| ${name} | ${fmt(t.wallMs)} | ${fmt(t.cpuMs)} | ${fmt(t.mainThreadCpuMs)} |`;
  return [
    `${result.model === "cnn" ? "CNN" : "MLP"} Adam step (ms), load average ` +
      `${result.loadavg.map((l) => l.toFixed(2)).join(" ")}, ` +
      `main thread ran ${(result.mainTileShare * 100).toFixed(0)} % of the pool's tiles`,
    "| threads | wall | CPU, all threads | CPU, main thread |",
    "|---|---|---|---|",
    row("1", result.one),
    row(String(result.threads), result.pool),
  ].join("\n");
}

/**
 * One thread on jax-js's plain memory (DESCENT_THREADS=1) against one thread on its shared memory (the
 * pool off): child processes alternated `pairs` times, medians of the step's process CPU time.
 */
export function sharedMemoryCost(pairs: number, rounds: number, calls: number) {
  const plain: number[] = [];
  const shared: number[] = [];
  for (let i = 0; i < pairs; i++) {
    plain.push(spawnChild(1, rounds, calls).one.cpuMs);
    shared.push(spawnChild(2, rounds, calls).one.cpuMs);
  }
  return { plainCpuMs: median(plain), sharedCpuMs: median(shared), loadavg: loadavg() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: number) =>
    args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback;
  const rounds = option("--rounds", 7);
  const calls = option("--calls", 20);
  if (args.includes("--child")) {
    const model = args.includes("--model") ? args[args.indexOf("--model") + 1] : "mlp";
    process.stdout.write(JSON.stringify(await child(rounds, calls, model as "mlp" | "cnn")) + "\n");
    process.exit(0);
  }
  if (args.includes("--memory")) {
    console.log(JSON.stringify(sharedMemoryCost(option("--pairs", 3), rounds, calls)));
    process.exit(0);
  }
  const model = (args.includes("--model") ? args[args.indexOf("--model") + 1] : "mlp") as "mlp" | "cnn";
  const result = threadsBench({ threads: option("--threads", 2), rounds, calls, model });
  console.log(args.includes("--json") ? JSON.stringify(result) : threadsTable(result));
}
