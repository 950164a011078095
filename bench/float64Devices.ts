/**
 * Exact float64 on Wasm (engine/f64) against the exact `cpu` device, A/B in one process: L-BFGS on
 * the logistic problem of scipy-suite.json (500 × 20), and one value+gradient of it. Rounds are
 * interleaved; the figure is this process's CPU time, median over rounds. SciPy's L-BFGS-B wall
 * time is measured live (bench/scipy_solvers.py) when /usr/bin/python3 has SciPy.
 * Run: `node --import tsx bench/float64Devices.ts [rounds]`.
 */
import { numpy as np } from "@jax-js/jax";
import { fileURLToPath } from "node:url";
import { exactFloat64Status, startEngine, type Precision } from "../src/engine/index.js";
import { loadProblem, Objective } from "../src/problems/index.js";
import { solverMethods } from "../src/methods/solvers.js";
import { scipyRuns } from "./solvers.js";

const SUITE = fileURLToPath(new URL("../test/fixtures/scipy-suite.json", import.meta.url));
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

export async function float64Devices(rounds: number) {
  await startEngine();
  const devices = { wasm: { dtype: np.float64, device: "wasm" }, cpu: { dtype: np.float64, device: "cpu" } } as const;
  const setups = Object.entries(devices).map(([name, precision]) => {
    const { problem } = loadProblem(`${SUITE}#logistic`, { precision: precision as Precision });
    const objective = new Objective(problem, precision as Precision);
    const x0 = Float64Array.from(problem.x0);
    const solve = () => {
      objective.forget();
      return solverMethods.lbfgs.run(objective, Float64Array.from(x0), {}, {});
    };
    const first = solve(); // warm-up: compiles the programs
    return { name, problem, objective, x0, solve, first, lbfgs: [] as number[], valueAndGrad: [] as number[] };
  });
  for (let round = 0; round < rounds; round++) {
    for (const s of setups) {
      let start = cpuMs();
      s.solve();
      s.lbfgs.push(cpuMs() - start);
      start = cpuMs();
      for (let i = 0; i < 10; i++) {
        s.objective.forget();
        s.objective.valueAndGrad(s.x0);
      }
      s.valueAndGrad.push((cpuMs() - start) / 10);
    }
  }
  const scipy = scipyRuns(rounds).runs.logistic?.["L-BFGS-B"];
  const rows = setups.map((s) => ({
    device: s.name,
    lbfgsCpuMs: median(s.lbfgs),
    valueAndGradCpuMs: median(s.valueAndGrad),
    iterations: s.first.iterations,
    gevals: s.first.gevals,
    fun: s.first.f,
    gradNorm: s.first.gradNorm,
  }));
  for (const s of setups) {
    s.objective.dispose();
    s.problem.dispose();
  }
  return { rows, scipy, exactF64: exactFloat64Status() };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rounds = Number(process.argv[2] ?? 7);
  const { rows, scipy, exactF64 } = await float64Devices(rounds);
  for (const r of rows)
    console.log(
      `${r.device.padEnd(5)} L-BFGS ${r.lbfgsCpuMs.toFixed(2)} ms CPU (${r.iterations} it, ${r.gevals} ∇f, ` +
        `f ${r.fun.toPrecision(17)}, ‖g‖ ${r.gradNorm.toExponential(2)}); ` +
        `value+grad ${r.valueAndGradCpuMs.toFixed(3)} ms` +
        (scipy ? `; ${(r.lbfgsCpuMs / scipy.ms).toFixed(2)}× SciPy` : ""),
    );
  if (scipy)
    console.log(`SciPy L-BFGS-B (${scipy.source}): ${scipy.ms.toFixed(3)} ms wall, ${scipy.njev} ∇f, ${scipy.nit} it`);
  console.log(`exact float64 kernels routed: ${exactF64.kernels}, calls: ${exactF64.calls}`);
}
