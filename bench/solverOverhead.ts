/**
 * Per-evaluation overhead of a host-side solver in exact float64 on Wasm: L-BFGS on the suite's
 * logistic problem (500×20), as bench/solvers.ts times it, A/B in one process with the small pointer
 * probes on and off (programRunner.ts), rounds interleaved. Per solve: CPU time (all threads) and wall
 * time, medians over rounds, and the jit calls and directly called kernels per gradient evaluation.
 *
 *   node --import tsx bench/solverOverhead.ts [rounds] [solvesPerRound]
 */
import { fileURLToPath } from "node:url";
import { gemmStatus, precisionOf, startEngine } from "../src/engine/index.js";
import { setSmallProbesEnabled } from "../src/engine/gemm/hook.js";
import { solverMethods } from "../src/methods/solvers.js";
import { loadProblem, Objective } from "../src/problems/index.js";

const SUITE = fileURLToPath(new URL("../test/fixtures/scipy-suite.json", import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

export async function solverOverhead(rounds = 7, solves = 100): Promise<Record<string, number>> {
  await startEngine();
  const precision = precisionOf("float64");
  const { problem } = loadProblem(`${SUITE}#logistic`, { precision });
  const objective = new Objective(problem, precision);
  const solve = () => {
    objective.forget();
    return solverMethods.lbfgs.run(objective, Float64Array.from(problem.x0), {}, {});
  };
  const settings = {
    small_probes_on: () => setSmallProbesEnabled(true),
    small_probes_off: () => setSmallProbesEnabled(false),
  };
  // Warm-up as bench/solvers.ts: V8 tiers the solver's code up over its first runs.
  const warmUntil = performance.now() + 500;
  for (let i = 0; i < 100 && performance.now() < warmUntil; i++) solve();
  const before = gemmStatus();
  const { gevals, fevals } = solve();
  const after = gemmStatus();
  const cpu: Record<string, number[]> = { small_probes_on: [], small_probes_off: [] };
  const wall: Record<string, number[]> = { small_probes_on: [], small_probes_off: [] };
  for (let round = 0; round < rounds; round++) {
    for (const [name, apply] of Object.entries(settings)) {
      apply();
      const [c0, w0] = [cpuMs(), performance.now()];
      for (let i = 0; i < solves; i++) solve();
      cpu[name].push((cpuMs() - c0) / solves);
      wall[name].push((performance.now() - w0) / solves);
    }
  }
  setSmallProbesEnabled(true);
  objective.dispose();
  problem.dispose();
  return {
    gevals,
    fevals,
    jit_calls_per_solve: after.programRuns - before.programRuns,
    direct_kernels_per_solve: after.directKernels - before.directKernels,
    ...Object.fromEntries(Object.entries(cpu).map(([k, v]) => [`lbfgs_logistic_cpu_ms_${k}`, median(v)])),
    ...Object.fromEntries(Object.entries(wall).map(([k, v]) => [`lbfgs_logistic_wall_ms_${k}`, median(v)])),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [rounds = "7", solves = "100"] = process.argv.slice(2);
  console.log(JSON.stringify(await solverOverhead(Number(rounds), Number(solves)), null, 2));
}
