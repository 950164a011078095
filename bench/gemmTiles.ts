/**
 * A/B of the GEMM's register tiles at the MLP's five products (bench/gemm.ts's MLP_MATMULS), float32
 * with relaxed FMA: the 4×8 tile of splat loads (8 accumulators, the kernel before issue 16's last
 * session), the 5×8 tile whose A rows are shuffled out of one vector load (10 accumulators, the
 * shipped one) without and with its 4-row tail panels. Variants are built from scripts/gemm/wat.ts
 * with wabt, timed interleaved in this process's CPU time beside the register-only FMA peak, as
 * bench/gemm.ts times them (one untimed call, then the median of single calls over rounds). Also the
 * peak loop with 8 and 10 independent accumulators instead of 12, in % of the 12-chain peak: why 8
 * accumulators cannot keep two FMA ports with a 4-cycle latency busy.
 * Run: `node --import tsx bench/gemmTiles.ts [rounds]`; other variants as JSON options of gemmWat, e.g.
 * `GEMM_VARIANTS='{"shipped":{},"K blocks of 400":{"KC":400}}'`.
 */
import { setFlagsFromString } from "node:v8";
import { plainMemory, watToBytes } from "../scripts/gemm/build.js";
import { peakWat } from "../scripts/gemm/kernels.js";
import { gemmWat, type GemmShapeOptions } from "../scripts/gemm/wat.js";
import { standaloneGemm, wasmPeakGflops } from "../src/engine/gemm/standalone.js";
import { MLP_MATMULS } from "./gemm.js";

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

const VARIANTS: Record<string, GemmShapeOptions> = JSON.parse(process.env.GEMM_VARIANTS ?? "null") ?? {
  "4x8 splat loads": { MR: 4, shuffleSplat: false },
  "5x8 shuffled, no tail panels": { tailPanels: false },
  "5x8 shuffled + 4-row tails (shipped)": {},
};

export async function gemmTiles(rounds: number): Promise<Record<string, Record<string, number>>> {
  setFlagsFromString("--experimental-wasm-relaxed-simd");
  const templates = await Promise.all(
    Object.entries(VARIANTS).map(async ([name, options]) => {
      return [name, await watToBytes(name, plainMemory(gemmWat("float32", true, options)))] as const;
    }),
  );
  const kernels = MLP_MATMULS.map(([, M, N, K, transA, transB]) =>
    templates.map(([, template]) => {
      const g = standaloneGemm("float32", M, N, K, { fma: true, transA, transB, template });
      g.a.fill(0.5);
      g.b.fill(0.25);
      return g;
    }),
  );
  const chainPeaks = await Promise.all(
    [8, 10].map(async (chains) => {
      const bytes = await watToBytes(`peak${chains}`, peakWat(true, chains));
      const peak = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.peak as (iters: number) => number;
      return { chains, peak, samples: [] as number[] };
    }),
  );
  const peaks: number[] = [];
  const samples = kernels.map((row) => row.map(() => [] as number[]));
  for (let round = -1; round < rounds; round++) {
    const peak = wasmPeakGflops(true, 50, cpuMs);
    for (const chain of chainPeaks) {
      const t0 = cpuMs();
      chain.peak(1 << 22);
      if (round >= 0) chain.samples.push(((1 << 22) * chain.chains * 8) / ((cpuMs() - t0) * 1e6));
    }
    MLP_MATMULS.forEach(([, M, N, K], s) =>
      kernels[s].forEach((g, v) => {
        g.run(); // untimed: the first call after another module's code runs cold (bench/gemm.ts)
        for (let i = 0; i < 10; i++) {
          const t0 = cpuMs();
          g.run();
          if (round >= 0) samples[s][v].push((2 * M * N * K) / ((cpuMs() - t0) * 1e6));
        }
      }),
    );
    if (round >= 0) peaks.push(peak); // round −1 warms V8's tiers up
  }
  const peak = median(peaks);
  const percent: Record<string, Record<string, number>> = {
    peak_gflops: { "12 chains": peak },
    peak_pct_with_fewer_chains: Object.fromEntries(
      chainPeaks.map(({ chains, samples }) => [`${chains} chains`, Math.round((1000 * median(samples)) / peak) / 10]),
    ),
  };
  MLP_MATMULS.forEach(([shape, M, N, K], s) => {
    percent[`${shape} ${M}×${N}×${K}`] = Object.fromEntries(
      templates.map(([name], v) => [name, Math.round((1000 * median(samples[s][v])) / peak) / 10]),
    );
  });
  return percent;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await gemmTiles(Number(process.argv[2] ?? 9)), null, 1));
}
