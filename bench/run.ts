/**
 * `npm run bench [-- --json] [-- --quick]`: our timings beside PyTorch's (bench/torch_peer.py,
 * run in the same process tree right after ours), as ratios measured in one run.
 * Never asserted in tests: this machine is shared and noisy.
 */
import { cpus } from "node:os";
import { startEngine } from "../src/engine/index.js";
import { torchPeer } from "./peers.js";
import { mlpAdamStepMs } from "./workloads.js";

const args = process.argv.slice(2);
const json = args.includes("--json");
const quick = args.includes("--quick");
const reps = quick ? 15 : 50;

await startEngine();
const ours: Record<string, number> = {
  mlp_adam_step_ms: mlpAdamStepMs(reps),
  mlp_bn_adam_step_ms: mlpAdamStepMs(reps, true),
};
const peer = torchPeer(2, quick);
const rows = Object.entries(ours).map(([key, value]) => {
  const theirs = peer.timings?.[key];
  return { key, ours: value, torch: theirs ?? null, ratio: theirs ? value / theirs : null };
});

if (json) {
  const torch = peer.timings ? Object.fromEntries(Object.keys(ours).map((k) => [k, peer.timings![k] ?? null])) : null;
  process.stdout.write(JSON.stringify({ ...ours, torch, torchUnavailable: peer.unavailable ?? null, machine: `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}` }) + "\n");
} else {
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}; Node ${process.version}; PyTorch ${peer.timings ? `${peer.timings.torch} on ${peer.timings.threads} threads` : `unavailable (${peer.unavailable})`}`);
  console.log("workload".padEnd(24), "descent ms".padStart(12), "torch ms".padStart(10), "ratio".padStart(8));
  for (const r of rows) {
    console.log(r.key.padEnd(24), r.ours.toFixed(2).padStart(12), (r.torch?.toFixed(2) ?? "n/a").padStart(10), (r.ratio ? `${r.ratio.toFixed(2)}×` : "n/a").padStart(8));
  }
}
