/**
 * GFLOP/s at the MLP's five matmul shapes (784-256-256-10, batch 128): forward X·W, the weight
 * gradients Xᵀ·dY and the input gradient dY·Wᵀ. Each shape is timed three ways, interleaved so the
 * ratios share the machine's load: Descent's GEMM alone (no dispatch), the GEMM inside jax-js
 * (a jit'd dot), and jax-js's own kernel (the hook switched off); beside them the register-only
 * Wasm f32x4 FMA peak, measured in the same run, as the 100 % ceiling. All on one thread (the pool
 * is switched off here) and in CPU time of this process, so that the ratios hold on a loaded machine.
 * What a number means: the median over rounds × 10 calls of one call's CPU time, each timed call
 * after one untimed call of the same kind (the first call after the peak loop or after switching
 * the hook runs cold: docs/performance.md, "GEMM measurement").
 */
import { jit, numpy as np } from "@jax-js/jax";
import { setGemmEnabled, setThreadsEnabled } from "../src/engine/index.js";
import { standaloneGemm, wasmPeakGflops } from "../src/engine/gemm/standalone.js";
import { relaxedSimdAvailable } from "../src/engine/gemm/hook.js";

/** [name, M, N, K, A transposed, B transposed] with C (M×N) = op(A)·op(B). */
export const MLP_MATMULS: [string, number, number, number, boolean, boolean][] = [
  ["x_w1", 128, 256, 784, false, false],
  ["h_w2", 128, 256, 256, false, false],
  ["xT_dh1", 784, 256, 128, true, false],
  ["hT_dh2", 256, 256, 128, true, false],
  ["dh2_w2T", 128, 256, 256, false, true],
];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

/** This process's CPU time in ms: on a shared machine it counts our work, not the waits for a core. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** One untimed call (after a switch or the peak loop the first call runs cold), then `calls` calls timed each. */
async function callGflops(flops: number, run: () => unknown, calls: number, into: number[]): Promise<void> {
  await run();
  for (let i = 0; i < calls; i++) {
    const t0 = cpuMs();
    const pending = run();
    if (pending) await pending; // only the jax-js calls are async: the kernel's time has no microtask in it
    into.push(flops / ((cpuMs() - t0) * 1e6));
  }
}

export interface GemmBenchRow {
  shape: string;
  /** Descent's GEMM called directly, its share of the peak, and the same inside a jax-js jit'd dot. */
  kernel_gflops: number;
  kernel_pct_of_peak: number;
  in_jaxjs_gflops: number;
  /** jax-js 0.1.25's own reduction kernel for the same dot. */
  jaxjs_own_gflops: number;
}

export async function gemmBench(rounds: number): Promise<{
  peak_fma_gflops: number;
  peak_muladd_gflops: number;
  fma: boolean;
  rows: GemmBenchRow[];
}> {
  const fma = relaxedSimdAvailable();
  const peaks: number[] = [];
  // One thread: the in-jax column is then the same work as the kernel's (the pool's CPU would count too).
  setThreadsEnabled(false);
  const rows: GemmBenchRow[] = [];
  for (const [shape, M, N, K, transA, transB] of MLP_MATMULS) {
    const flops = 2 * M * N * K;
    const kernel = standaloneGemm("float32", M, N, K, { fma, transA, transB });
    kernel.a.fill(0.5);
    kernel.b.fill(0.25);
    const a = np.ones(transA ? [K, M] : [M, K]);
    const b = np.ones(transB ? [N, K] : [K, N]);
    const dot = jit((a: np.Array, b: np.Array) => np.dot(transA ? np.transpose(a) : a, transB ? np.transpose(b) : b));
    // blockUntilReady runs the lazy product without reading it back (dataSync's copy of C took 13 % of h_w2's
    // time and 30–40 % of xT_dh1's: a training step never reads its products back).
    const viaJax = async () => void (await dot(a.ref, b.ref).blockUntilReady()).dispose();
    const samples = { kernel: [] as number[], hooked: [] as number[], own: [] as number[] };
    for (let round = -1; round < rounds; round++) {
      // Round −1 warms up: V8 tiers the modules up, the runner builds its plans.
      const keep = round >= 0;
      const peak = wasmPeakGflops(fma, 50, cpuMs);
      if (keep) peaks.push(peak);
      await callGflops(flops, kernel.run, 10, keep ? samples.kernel : []);
      // Switching the hook rebuilds the runner's plans at the next call: the untimed call takes that.
      setGemmEnabled(true);
      await callGflops(flops, viaJax, 10, keep ? samples.hooked : []);
      setGemmEnabled(false);
      await callGflops(flops, viaJax, 10, keep ? samples.own : []);
      setGemmEnabled(true);
      // V8 compiles the hot functions' optimised code on background threads, whose CPU time this process's clock
      // counts: let that finish (idle) before the timed rounds.
      if (round < 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    dot.dispose();
    a.dispose();
    b.dispose();
    const kernelGflops = median(samples.kernel);
    rows.push({
      shape: `${shape} ${M}×${N}×${K}`,
      kernel_gflops: kernelGflops,
      kernel_pct_of_peak: 0,
      in_jaxjs_gflops: median(samples.hooked),
      jaxjs_own_gflops: median(samples.own),
    });
  }
  setThreadsEnabled(true);
  const peak = median(peaks);
  for (const row of rows) row.kernel_pct_of_peak = (100 * row.kernel_gflops) / peak;
  return { peak_fma_gflops: fma ? peak : NaN, peak_muladd_gflops: wasmPeakGflops(false, 100, cpuMs), fma, rows };
}
