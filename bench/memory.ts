/**
 * Peak resident memory (max RSS) of (a) a training run on the bundled digits and (b) L-BFGS on a
 * 1 000 000-parameter problem, each in a fresh process so the peaks do not mix.
 * `node --import tsx bench/memory.ts [--json]`.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const self = fileURLToPath(import.meta.url);

async function lbfgsChild(): Promise<Record<string, number>> {
  const { precisionOf, startEngine } = await import("../src/engine/index.js");
  const { Objective, rosenbrockProblem } = await import("../src/problems/index.js");
  const { lbfgs } = await import("../src/solvers/index.js");
  await startEngine();
  // Rosenbrock uses only +, × and squares: float64 on Wasm is exact for it, and fast.
  const n = 1_000_000;
  const precision = precisionOf("float64-fast");
  const objective = new Objective(rosenbrockProblem(n), precision);
  const result = lbfgs(objective, objective.problem.x0, { maxIter: 30, tol: 0 });
  return { parameters: n, iterations: result.iterations, gevals: result.gevals };
}

async function trainChild(): Promise<Record<string, number>> {
  const { main } = await import("../src/cli/main.js");
  const code = await main(["train", "--epochs", "3", "--json", "--out", "/tmp/descent-bench-memory"]);
  return { exitCode: code };
}

if (args[0] === "--child") {
  const what = args[1] === "lbfgs" ? await lbfgsChild() : await trainChild();
  process.stderr.write(JSON.stringify({ ...what, maxRssMiB: process.resourceUsage().maxRSS / 1024 }) + "\n");
  process.exit(0);
}

function measure(which: string): Record<string, number> {
  const run = spawnSync(process.execPath, ["--import", "tsx", self, "--child", which], {
    encoding: "utf8",
    maxBuffer: 1 << 22,
  });
  if (run.status !== 0) throw new Error(`memory child ${which} failed: ${run.stderr.slice(-500)}`);
  return JSON.parse(run.stderr.trim().split("\n").pop()!);
}

export function memoryBench(): { train: Record<string, number>; lbfgs: Record<string, number> } {
  return { train: measure("train"), lbfgs: measure("lbfgs") };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = memoryBench();
  if (args.includes("--json")) process.stdout.write(JSON.stringify(result) + "\n");
  else {
    console.log(`peak RSS, descent train (MLP, 3 epochs on the digits): ${result.train.maxRssMiB.toFixed(0)} MiB`);
    console.log(
      `peak RSS, L-BFGS (m = 10) on ${result.lbfgs.parameters} parameters, ${result.lbfgs.iterations} iterations: ` +
        `${result.lbfgs.maxRssMiB.toFixed(0)} MiB`,
    );
  }
}
