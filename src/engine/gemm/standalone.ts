/**
 * The GEMM outside jax-js, on its own Wasm memory: for tests against a float64 reference and for
 * the bench's GFLOP/s at fixed shapes (no dispatch overhead). Row-major host arrays in and out.
 */
import {
  GEMM_PARAMS,
  GEMM_SCRATCH_BYTES,
  type GemmDtype,
  type GemmParams,
  gemmModuleBytes,
  withGlobals,
} from "./module.js";
import { GEMM_MODULES } from "./modules.generated.js";

export interface StandaloneGemm {
  /** Views of A (M×K), B (K×N) and C (M×N) inside the module's memory, row-major. */
  a: Float32Array | Float64Array;
  b: Float32Array | Float64Array;
  c: Float32Array | Float64Array;
  /** Runs C = op(A)·op(B) once. */
  run(): void;
}

/**
 * A GEMM of shape M×K · K×N on fresh memory. `transA` reads A as stored K×M (C = Aᵀ·B),
 * `transB` reads B as stored N×K (C = A·Bᵀ): the transposed products of a backward pass.
 * `template` replaces the shipped module (a variant built from scripts/gemm/wat.ts, for A/B benches).
 */
export function standaloneGemm(
  dtype: GemmDtype,
  M: number,
  N: number,
  K: number,
  opts: { fma: boolean; transA?: boolean; transB?: boolean; template?: Uint8Array },
): StandaloneGemm {
  const elt = dtype === "float32" ? 4 : 8;
  const align = (n: number) => Math.ceil(n / 64) * 64;
  const aAt = GEMM_SCRATCH_BYTES;
  const bAt = aAt + align(M * K * elt);
  const cAt = bAt + align(K * N * elt);
  const end = cAt + align(M * N * elt);
  const memory = new WebAssembly.Memory({ initial: Math.ceil(end / 65536) });
  const params: GemmParams = {
    M,
    N,
    K,
    argA: 0,
    aOff: 0,
    aSm: opts.transA ? 1 : K,
    aSk: opts.transA ? M : 1,
    argB: 1,
    bOff: 0,
    bSn: opts.transB ? K : 1,
    bSk: opts.transB ? 1 : N,
    argOut: 2,
    argE: -1,
    eOff: 0,
    eSm: 0,
    eSn: 0,
    relu: 0,
    scratch: 0,
  };
  const bytes = opts.template
    ? withGlobals(
        opts.template,
        GEMM_PARAMS.map((name) => params[name]),
      )
    : gemmModuleBytes(dtype, params, { fma: opts.fma, shared: false });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  const kernel = instance.exports.kernel as (...ptrs: number[]) => void;
  const View = dtype === "float32" ? Float32Array : Float64Array;
  return {
    a: new View(memory.buffer, aAt, M * K),
    b: new View(memory.buffer, bAt, K * N),
    c: new View(memory.buffer, cAt, M * N),
    run: () => kernel(aAt, bAt, cAt),
  };
}

const peakLoops = new Map<boolean, (iters: number) => number>();

/**
 * The peak loop, compiled once per process: a fresh compile each time costs V8 background compile work (counted in
 * the process's CPU time) and left the GEMM call right after it at 19–76 % instead of ~90 % of the peak.
 */
function peakLoop(fma: boolean): (iters: number) => number {
  let peak = peakLoops.get(fma);
  if (!peak) {
    const bytes = Uint8Array.from(atob(GEMM_MODULES[`peak-${fma ? "fma" : "muladd"}`]), (c) => c.charCodeAt(0));
    peak = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.peak as (iters: number) => number;
    peakLoops.set(fma, peak);
  }
  return peak;
}

/** Independent vector multiply-add chains in peakFlops's loop (scripts/gemm/kernels.ts PEAK_CHAINS). */
const PEAK_CHAINS = 12;

/**
 * Measures the register-only f32x4 FMA ceiling in GFLOP/s over about `ms` milliseconds (best of 5),
 * by `clock` in ms (wall time by default; a CPU-time clock discounts foreign load).
 */
export function wasmPeakGflops(fma: boolean, ms = 100, clock: () => number = () => performance.now()): number {
  const peak = peakLoop(fma);
  const iters = 1 << 20;
  for (let i = 0; i < 3; i++) peak(iters);
  let best = 0;
  for (let r = 0; r < 5; r++) {
    const t0 = clock();
    let runs = 0;
    do {
      peak(iters);
      runs++;
    } while (clock() - t0 < ms / 5);
    best = Math.max(best, (runs * iters * PEAK_CHAINS * 8) / ((clock() - t0) * 1e6));
  }
  return best;
}
