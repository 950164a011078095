import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const PYTHON = "/usr/bin/python3";
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
type PeerResult = { timings?: Record<string, number | string>; unavailable?: string };

function lastJsonLine(stdout: string): Record<string, number | string> {
  return JSON.parse(stdout.trim().split("\n").pop()!);
}

/** PyTorch's timings from torch_peer.py (same workloads), or the reason they are unavailable. */
export function torchPeer(threads: number, quick: boolean): PeerResult {
  if (!existsSync(PYTHON)) return { unavailable: `${PYTHON} not found` };
  const probe = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" });
  if (probe.status !== 0) return { unavailable: "python3 has no torch (apt-get install python3-torch)" };
  const run = spawnSync(
    PYTHON,
    [here("./torch_peer.py"), "--threads", String(threads), ...(quick ? ["--quick"] : [])],
    { encoding: "utf8", maxBuffer: 1 << 20 },
  );
  if (run.status !== 0) return { unavailable: `torch_peer.py failed: ${run.stderr.trim().split("\n").pop()}` };
  return { timings: lastJsonLine(run.stdout) };
}

/** TensorFlow.js's timings (Wasm backend) from tfjs_peer.ts, in its own Node process. */
export function tfjsPeer(quick: boolean): PeerResult {
  const run = spawnSync(process.execPath, ["--import", "tsx", here("./tfjs_peer.ts"), ...(quick ? ["--quick"] : [])], {
    encoding: "utf8",
    maxBuffer: 1 << 22,
  });
  if (run.status !== 0)
    return {
      unavailable: `tfjs_peer.ts failed: ${
        run.stderr
          .trim()
          .split("\n")
          .filter((l) => l.includes("Error"))
          .pop() ?? run.status
      }`,
    };
  return { timings: lastJsonLine(run.stdout) };
}

/** Per key, the better of several peer runs (lower time, higher GFLOP/s); `threads` lists the winners. */
export function bestPeer(runs: PeerResult[]): PeerResult {
  const ok = runs.filter((r) => r.timings);
  if (ok.length === 0) return runs[0];
  const best: Record<string, number | string> = { ...ok[0].timings! };
  const winners: Record<string, string> = {};
  for (const key of Object.keys(best)) {
    if (typeof best[key] !== "number" || key === "threads") continue;
    const higher = key.endsWith("gflops");
    for (const run of ok) {
      const v = run.timings![key];
      if (typeof v === "number" && (higher ? v > (best[key] as number) : v < (best[key] as number))) best[key] = v;
    }
    winners[key] = String(ok.find((run) => run.timings![key] === best[key])!.timings!.threads);
  }
  best.threads = [...new Set(Object.values(winners))].join("/");
  return { timings: best };
}
