/**
 * jax-js's Wasm worker pool in Node (DESCENT_THREADS, src/engine/workerThreads.ts): matmul
 * GFLOP/s and the MLP step with one thread (synchronous dispatch) and with a pool of n threads
 * (asynchronous dispatch), each in a fresh process since the pool is fixed when jax-js loads.
 * `node --import tsx bench/threads.ts [--threads 2] [--json]`.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
if (args.includes("--child")) {
  await import("../src/engine/nodeSetup.js");
  const { startEngine } = await import("../src/engine/index.js");
  const { matmulGflops, workloads } = await import("./workloads.js");
  await startEngine();
  const out: Record<string, number> = {};
  for (const n of [256, 512, 1024]) out[`matmul_${n}_gflops`] = await matmulGflops(n, n === 1024 ? 10 : 30);
  out.mlp_adam_step_ms = await workloads.mlp_adam_step_ms(30);
  process.stdout.write(JSON.stringify(out) + "\n");
  process.exit(0);
}

const threads = Number(args[args.indexOf("--threads") + 1] ?? 2) || 2;
const child = (env: Record<string, string>) => {
  const run = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--child"], {
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout.trim().split("\n").pop()!) as Record<string, number>;
};
const single = child({ DESCENT_THREADS: "1" });
const pooled = child({ DESCENT_THREADS: String(threads) });
if (args.includes("--json")) process.stdout.write(JSON.stringify({ threads, single, pooled }) + "\n");
else {
  console.log(`| workload | 1 thread | ${threads} threads | speed-up |\n|---|---|---|---|`);
  for (const key of Object.keys(single)) {
    const speedup = key.endsWith("gflops") ? pooled[key] / single[key] : single[key] / pooled[key];
    console.log(`| ${key} | ${single[key].toFixed(2)} | ${pooled[key].toFixed(2)} | ${speedup.toFixed(2)}× |`);
  }
}
