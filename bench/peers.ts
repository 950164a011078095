import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const PYTHON = "/usr/bin/python3";
const TORCH_PEER = fileURLToPath(new URL("./torch_peer.py", import.meta.url));

/** PyTorch's timings from torch_peer.py (same workloads), or the reason they are unavailable. */
export function torchPeer(threads: number, quick: boolean): { timings?: Record<string, number>; unavailable?: string } {
  if (!existsSync(PYTHON)) return { unavailable: `${PYTHON} not found` };
  const probe = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" });
  if (probe.status !== 0) return { unavailable: "python3 has no torch (apt-get install python3-torch)" };
  const args = [TORCH_PEER, "--threads", String(threads), ...(quick ? ["--quick"] : [])];
  const run = spawnSync(PYTHON, args, { encoding: "utf8", maxBuffer: 1 << 20 });
  if (run.status !== 0) return { unavailable: `torch_peer.py failed: ${run.stderr.trim().split("\n").pop()}` };
  return { timings: JSON.parse(run.stdout.trim().split("\n").pop()!) };
}
