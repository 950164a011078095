import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { buildGemmModules, generatedSource, GENERATED_PATH } from "../../scripts/gemm/build.js";
import { scratchBytes } from "../../scripts/gemm/wat.js";
import { GEMM_SCRATCH_BYTES } from "../../src/engine/gemm/module.js";
import { standaloneGemm } from "../../src/engine/gemm/standalone.js";
import { relaxedSimdAvailable } from "../../src/engine/gemm/hook.js";
import { setFlagsFromString } from "node:v8";

// The FMA variant (a 5-row register tile in float32) validates in Node 20 only with this flag, as in startEngine.
setFlagsFromString("--experimental-wasm-relaxed-simd");
const fmaVariants = relaxedSimdAvailable() ? [false, true] : [false];

test("the shipped GEMM bytes equal a fresh build of scripts/gemm/wat.ts (run npm run build:gemm)", async () => {
  assert.equal(readFileSync(GENERATED_PATH, "utf8"), generatedSource(await buildGemmModules()));
});

test("the scratch block holds the packed panels of either dtype", () => {
  assert.ok(GEMM_SCRATCH_BYTES >= scratchBytes("float32") && GEMM_SCRATCH_BYTES >= scratchBytes("float64"));
});

/** Max |C − A·B| / max |A·B| against a float64 reference, for one shape and transposition. */
function relativeError(
  dtype: "float32" | "float64",
  M: number,
  N: number,
  K: number,
  transA: boolean,
  transB: boolean,
  fma: boolean,
): number {
  const g = standaloneGemm(dtype, M, N, K, { fma, transA, transB });
  for (let i = 0; i < g.a.length; i++) g.a[i] = Math.sin(1.3 * i + 0.1);
  for (let i = 0; i < g.b.length; i++) g.b[i] = Math.cos(0.7 * i);
  g.c.fill(NaN);
  g.run();
  let err = 0;
  let scale = 0;
  for (let m = 0; m < M; m++)
    for (let n = 0; n < N; n++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += g.a[transA ? k * M + m : m * K + k] * g.b[transB ? n * K + k : k * N + n];
      err = Math.max(err, Math.abs(sum - g.c[m * N + n]));
      scale = Math.max(scale, Math.abs(sum));
    }
  return err / scale;
}

// Edge tiles (M % 4 and M % 5, N % 8), K blocks (K > 256), N blocks (N > 512) and all transpositions.
const shapes = [
  [5, 9, 3],
  [13, 17, 300],
  [130, 520, 257],
  [7, 3, 600],
  [4, 8, 4],
  [1, 1, 1],
  [6, 16, 513],
  [164, 8, 5],
];

test("float64 GEMM equals the float64 reference to 1e-14 in every layout, with FMA and with mul+add", () => {
  for (const fma of fmaVariants)
    for (const [M, N, K] of shapes)
      for (const transA of [false, true])
        for (const transB of [false, true])
          assert.ok(
            relativeError("float64", M, N, K, transA, transB, fma) < 1e-14,
            `${M}×${N}×${K} ${transA} ${transB} fma ${fma}`,
          );
});

test("float32 GEMM equals the float64 reference to float32 rounding (2e-5 relative) in every layout", () => {
  for (const fma of fmaVariants)
    for (const [M, N, K] of shapes)
      for (const transA of [false, true])
        for (const transB of [false, true])
          assert.ok(
            relativeError("float32", M, N, K, transA, transB, fma) < 2e-5,
            `${M}×${N}×${K} ${transA} ${transB} fma ${fma}`,
          );
});

test("the Node 20 test run has relaxed SIMD, so the FMA tiles above were checked", () => {
  assert.deepEqual(fmaVariants, [false, true]);
});
