/**
 * `npm run bench [-- --json] [-- --quick]`: our timings beside PyTorch's (bench/torch_peer.py) and
 * TensorFlow.js's (bench/tfjs_peer.ts), each peer in its own process right after ours, so the
 * ratios come from one run on one machine. Never asserted in tests: this machine is shared and noisy.
 */
// First: jax-js must load with a shared memory for the thread pool (as in the `descent` binary).
import "../src/engine/nodeSetup.js";
import { cpus, totalmem } from "node:os";
import { startEngine, threadStatus, threadsReady } from "../src/engine/index.js";
import { curvatureBench } from "./curvature.js";
import { lazyGraphBench } from "./lazyGraph.js";
import { memoryBench } from "./memory.js";
import { solverBench, solverBenchTable } from "./solvers.js";
import { bestPeer, tfjsPeer, torchPeer } from "./peers.js";
import { adamUpdateMs, copyMs, matmulGflops, workloads } from "./workloads.js";
import { gemmBench } from "./gemm.js";
import { threadsBench, threadsTable } from "./threads.js";
import { browserThreadsBench, browserThreadsLines } from "./browserThreads.js";

const args = process.argv.slice(2);
const json = args.includes("--json");
const quick = args.includes("--quick");
const reps = quick ? 15 : 50;
const log = (s: string) => json || process.stderr.write(s + "\n");

await startEngine();
await threadsReady(); // the default thread setting (calibrated) for every workload below
const ours: Record<string, number> = {};
for (const [key, run] of Object.entries(workloads)) {
  log(`timing ${key} …`);
  ours[key] = await run(key.startsWith("cnn") ? Math.ceil(reps / 2) : reps);
}
log("timing elementwise and matmul …");
const n = 4_000_000;
ours.adam_update_4000000_ms = await adamUpdateMs(n, Math.ceil(reps / 2));
ours.copy_4000000_ms = await copyMs(n, Math.ceil(reps / 2));
// Adam touches 7 float32 arrays (read p, g, m, v; write p, m, v), a copy 2: compare bytes per ms.
ours.adam_bandwidth_vs_copy = 7 / ours.adam_update_4000000_ms / (2 / ours.copy_4000000_ms);
ours.matmul_256_gflops = await matmulGflops(256, reps);
ours.matmul_512_gflops = await matmulGflops(512, reps);
ours.matmul_1024_gflops = await matmulGflops(1024, 10);
log("timing the GEMM at the MLP's five products beside the Wasm FMA peak …");
const gemm = await gemmBench(quick ? 3 : 9);

log("timing the MLP step on 1 and 2 threads (a child process with DESCENT_THREADS=2) …");
const threadAB = threadsBench({ threads: 2, rounds: quick ? 5 : 9, calls: quick ? 10 : 20 });
ours.mlp_adam_step_ms_1_thread = threadAB.one.wallMs;
ours.mlp_adam_step_ms_2_threads = threadAB.pool.wallMs;

log("timing Hessian-vector products …");
ours.hvp_mlp_ratio = curvatureBench(quick ? 10 : 30).hvp_mlp_ratio;

log("timing L-BFGS on the logistic problem beside SciPy …");
const solvers = await solverBench({
  repeats: quick ? 3 : 5,
  problems: args.includes("--all-solvers") ? undefined : ["logistic"],
});
const lbfgsRow = solvers.rows.find((r) => r.problem === "logistic" && r.method === "lbfgs")!;
ours.lbfgs_logistic_ms = lbfgsRow.ms;
ours.lbfgs_logistic_gevals = lbfgsRow.gevals;
log("timing minimize with torch.Adam for 5 000 steps (the lazy-graph check) …");
const lazyGraph = await lazyGraphBench(quick ? 2000 : 5000);
ours.adam_late_over_early_cpu = lazyGraph.cpu.ratio;
ours.adam_late_over_early_wall = lazyGraph.wall.ratio;
log("measuring peak memory …");
const memory = memoryBench();
ours.train_peak_rss_mib = memory.train.maxRssMiB;
ours.lbfgs_1m_peak_rss_mib = memory.lbfgs.maxRssMiB;

// Last of ours: Chromium's processes linger a moment after it, and would run beside the timings.
log("timing the MLP step in a cross-origin-isolated Chromium page on 1 and 2 threads …");
const pageAB = await browserThreadsBench({ threads: 2, rounds: quick ? 5 : 9, calls: quick ? 10 : 20 }).catch(
  (error: Error) => ({ unavailable: error.message.split("\n")[0] }),
);
await new Promise((settled) => setTimeout(settled, 2000)); // before the peers are timed too

log("running the PyTorch peer at 1 and at 2 threads …");
// The machine is shared: a 2-thread peer can be slowed by foreign load, so the faster per key is the peer.
const torchRuns = [torchPeer(1, quick), torchPeer(2, quick)];
const torch = bestPeer(torchRuns);
log("running the TensorFlow.js peer …");
const tfjs = tfjsPeer(quick);

const KEYS = [
  "mlp_adam_step_ms",
  "mlp_bn_adam_step_ms",
  "cnn_adam_step_ms",
  "rnn_adam_step_ms",
  "adam_update_4000000_ms",
  "hvp_mlp_ratio",
  "matmul_1024_gflops",
];
const pick = (t: Record<string, unknown> | undefined) =>
  t ? Object.fromEntries(KEYS.map((k) => [k, t[k] ?? null])) : null;
const machine =
  `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ` +
  `${process.version}, DESCENT_THREADS=${process.env.DESCENT_THREADS ?? "unset"}, ` +
  `${threadStatus().threads} thread(s) (${threadStatus().reason})`;

if (json) {
  const scipy = {
    lbfgs_logistic_ms: lbfgsRow.scipy?.ms ?? null,
    lbfgs_logistic_gevals: lbfgsRow.scipy?.njev ?? null,
    source: lbfgsRow.scipy?.source ?? null,
  };
  process.stdout.write(
    JSON.stringify({
      ...ours,
      machine,
      gemm,
      threads: threadAB,
      browserThreads: pageAB,
      torch: pick(torch.timings),
      torchThreads: torchRuns.map((r) => pick(r.timings)),
      tfjs: pick(tfjs.timings),
      scipy,
      torchUnavailable: torch.unavailable ?? null,
      tfjsUnavailable: tfjs.unavailable ?? null,
    }) + "\n",
  );
} else {
  console.log(`machine: ${machine}`);
  const torchLine = torch.timings
    ? `${torch.timings.torch}, best of 1 and 2 threads per workload (threads used: ${torch.timings.threads})`
    : `unavailable (${torch.unavailable})`;
  const tfjsLine = tfjs.timings ? `${tfjs.timings.tfjs} ${tfjs.timings.backend}` : `unavailable (${tfjs.unavailable})`;
  console.log(`PyTorch: ${torchLine}; TF.js: ${tfjsLine}`);
  const fmt = (v: unknown) => (typeof v === "number" ? v.toFixed(2) : "n/a");
  const ratio = (a: number, b: unknown, higherIsBetter: boolean) =>
    typeof b === "number" ? `${(higherIsBetter ? b / a : a / b).toFixed(2)}×` : "n/a";
  console.log(
    ["workload".padEnd(24), "descent", "torch", "tf.js", "÷torch", "÷tf.js"]
      .map((s, i) => (i ? s.padStart(9) : s))
      .join(" "),
  );
  for (const key of KEYS) {
    const higher = key.endsWith("gflops");
    const [t, f] = [torch.timings?.[key], tfjs.timings?.[key]];
    console.log(
      [key.padEnd(24), fmt(ours[key]), fmt(t), fmt(f), ratio(ours[key], t, higher), ratio(ours[key], f, higher)]
        .map((s, i) => (i ? s.padStart(9) : s))
        .join(" "),
    );
  }
  console.log(`(ratios: our time ÷ theirs, or their GFLOP/s ÷ ours; below 1 means Descent is faster)`);
  console.log(
    `Adam update on 4M floats: ${fmt(ours.adam_update_4000000_ms)} ms; copy of the same floats ` +
      `${fmt(ours.copy_4000000_ms)} ms; Adam runs at ${(ours.adam_bandwidth_vs_copy * 100).toFixed(0)}% of copy ` +
      `bandwidth`,
  );
  console.log(
    `matmul GFLOP/s: 256 ${fmt(ours.matmul_256_gflops)}, 512 ${fmt(ours.matmul_512_gflops)}, 1024 ` +
      `${fmt(ours.matmul_1024_gflops)}`,
  );
  console.log(
    `Wasm f32x4 register-only peak: ${fmt(gemm.peak_fma_gflops)} GFLOP/s with relaxed FMA (` +
      `${gemm.fma ? "on" : "unavailable"}), ${fmt(gemm.peak_muladd_gflops)} with mul+add`,
  );
  console.log(
    ["MLP product".padEnd(22), "GEMM", "% peak", "in jit", "jax-js", "torch"]
      .map((s, i) => (i ? s.padStart(8) : s))
      .join(" "),
  );
  for (const row of gemm.rows) {
    const peer = torch.timings?.[`mlp_matmul_${row.shape.split(" ")[0]}_gflops`];
    console.log(
      [
        row.shape.padEnd(22),
        fmt(row.kernel_gflops),
        fmt(row.kernel_pct_of_peak),
        fmt(row.in_jaxjs_gflops),
        fmt(row.jaxjs_own_gflops),
        fmt(peer),
      ]
        .map((s, i) => (i ? s.padStart(8) : s))
        .join(" "),
    );
  }
  const s = lbfgsRow.scipy;
  const scipyLine = s
    ? `${fmt(s.ms)} ms (${s.source}), ${s.njev} gradients; time ratio ${fmt(lbfgsRow.timeRatio)}×`
    : "unavailable";
  console.log(
    `L-BFGS on logistic (500×20, float64): ${fmt(lbfgsRow.ms)} ms, ${lbfgsRow.gevals} gradients; ` +
      `SciPy L-BFGS-B ${scipyLine}`,
  );
  console.log(
    `minimize torch.Adam on rosenbrock10, ${lazyGraph.steps} steps: ms/step of the last 500 ÷ steps 100–600 = ` +
      `${fmt(lazyGraph.cpu.ratio)} (CPU time), ${fmt(lazyGraph.wall.ratio)} (wall)`,
  );
  console.log(
    `peak RSS: descent train (3 epochs) ${fmt(memory.train.maxRssMiB)} MiB; L-BFGS on 1 000 000 parameters ` +
      `${fmt(memory.lbfgs.maxRssMiB)} MiB`,
  );
  console.log("\n" + threadsTable(threadAB));
  console.log("\n" + ("unavailable" in pageAB ? `page threads: ${pageAB.unavailable}` : browserThreadsLines(pageAB)));
  if (args.includes("--all-solvers")) console.log("\n" + solverBenchTable(solvers));
}
