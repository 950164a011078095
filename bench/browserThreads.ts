/**
 * Descent's thread pool in a cross-origin-isolated page (Debian's Chromium, headless): the MLP Adam step
 * (784-256-256-10, batch 128) with setThreads(n), rounds interleaved between the pool on and off
 * (setThreadsEnabled) inside the page, medians of wall time (a page has no CPU clock), load average beside.
 * `node --import tsx bench/browserThreads.ts [--threads 2] [--rounds 7] [--calls 20]`.
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { servePage } from "../test/web/pageServer.js";

interface PageBench {
  status: { threads: number; reason: string };
  poolMs: number;
  oneMs: number;
  mainTileShare: number;
}

export async function browserThreadsBench(opts: { threads?: number; rounds?: number; calls?: number } = {}) {
  const { threads = 2, rounds = 7, calls = 20 } = opts;
  const pages = await servePage("test/web/threadsPage");
  try {
    const before = loadavg();
    const result = await pages.run<PageBench>(
      `isolated/index.html?threads=${threads}&bench=${rounds},${calls}`,
      "threadsPage",
      600_000,
    );
    if (result.status.threads !== threads) throw new Error(`the pool did not start: ${result.status.reason}`);
    return { ...result, loadavg: [before, loadavg()] };
  } finally {
    await pages.close();
  }
}

/** The result as two lines of text (npm run bench prints them under the Node table). */
export function browserThreadsLines(result: Awaited<ReturnType<typeof browserThreadsBench>>): string {
  const load = result.loadavg.map((l) => l.map((v) => v.toFixed(2)).join(" ")).join(" → ");
  return [
    `MLP Adam step in a cross-origin-isolated page (Chromium, wall clock), load average ${load}:`,
    `1 thread ${result.oneMs.toFixed(2)} ms, ${result.status.threads} threads ${result.poolMs.toFixed(2)} ms; ` +
      `the main thread ran ${(result.mainTileShare * 100).toFixed(0)} % of the pool's tiles`,
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { threads: { type: "string" }, rounds: { type: "string" }, calls: { type: "string" } },
  });
  const result = await browserThreadsBench({
    threads: Number(values.threads ?? 2),
    rounds: Number(values.rounds ?? 7),
    calls: Number(values.calls ?? 20),
  });
  console.log(browserThreadsLines(result));
}
