/**
 * The small Wasm modules beside the GEMM (build-time WAT, compiled by scripts/gemm/build.ts): the
 * one-output dot kernel, the pointer probe the hook uses to learn its scratch address, and the
 * register-only FMA peak loop the bench uses as its 100 %.
 */
import { GEMM_MAX_ARGS, GEMM_PARAMS, SCRATCH, type GemmDtype } from "./wat.js";

/** Writes its first argument (a buffer's address, as jax-js passes it) into its second buffer. */
export function pointerProbeWat(shared: boolean): string {
  return `(module
(import "env" "memory" (memory 0${shared ? " 65536 shared" : ""}))
(func (export "kernel") (param $in i32) (param $out i32) (i32.store (local.get $out) (local.get $in))))`;
}

/** Accumulators the peak loop keeps in registers (independent chains hide the FMA latency). */
export const PEAK_CHAINS = 12;

/**
 * The register-only f32x4 FMA ceiling: `peak(iters)` runs iters × PEAK_CHAINS independent vector
 * multiply-adds with no memory traffic (8 flops each), the bench's 100 % for Wasm GEMM speed.
 */
export function peakWat(fma: boolean, chainCount = PEAK_CHAINS): string {
  const chains = Array.from({ length: chainCount }, (_, i) => i);
  const madd = (c: string) =>
    fma
      ? `(f32x4.relaxed_madd ${c} (local.get $x) (local.get $y))`
      : `(f32x4.add (f32x4.mul ${c} (local.get $x)) (local.get $y))`;
  return `(module
(func (export "peak") (param $iters i32) (result f32)
  (local $x v128) (local $y v128) ${chains.map((i) => `(local $c${i} v128)`).join(" ")}
  (local.set $x (f32x4.splat (f32.const 0.999)))
  (local.set $y (f32x4.splat (f32.const 0.001)))
  (loop $l
    ${chains.map((i) => `(local.set $c${i} ${madd(`(local.get $c${i})`)})`).join("\n    ")}
    (local.set $iters (i32.sub (local.get $iters) (i32.const 1)))
    (br_if $l (i32.gt_s (local.get $iters) (i32.const 0))))
  (f32x4.extract_lane 0
    ${chains.slice(1).reduce((sum, i) => `(f32x4.add ${sum} (local.get $c${i}))`, "(local.get $c0)")})))`;
}

/**
 * The reduction sum_k A[k]·B[k] (one output, e.g. a gradient's squared norm), with the GEMM's
 * globals (M = N = 1) and entry point: four vector accumulators over unit-stride runs, scalars
 * otherwise. jax-js's generic code runs such a reduction several times slower.
 */
export function dotWat(dtype: GemmDtype, fma: boolean): string {
  const f32 = dtype === "float32";
  const T = f32 ? "f32" : "f64";
  const V = f32 ? "f32x4" : "f64x2";
  const elt = f32 ? 4 : 8;
  const lanes = 16 / elt;
  const g = (name: string) => `(global.get $${name})`;
  const repeat = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join("\n");
  const madd = (a: string, b: string, c: string) =>
    fma ? `(${V}.relaxed_madd ${a} ${b} ${c})` : `(${V}.add (${V}.mul ${a} ${b}) ${c})`;
  const argPtr = (argIndex: string) => `(i32.load (i32.add ${g("scratch")} (i32.shl ${argIndex} (i32.const 2))))`;
  const lane = (i: number) => `(${V}.extract_lane ${i} (local.get $s))`;
  const laneSum = f32
    ? `(f32.add (f32.add ${lane(0)} ${lane(1)}) (f32.add ${lane(2)} ${lane(3)}))`
    : `(f64.add ${lane(0)} ${lane(1)})`;
  return `(module
(import "env" "memory" (memory 0 65536 shared))
${GEMM_PARAMS.map((name) => `(global $${name} i32 (i32.const 0))`).join("\n")}
(func (export "kernel") ${repeat(GEMM_MAX_ARGS, (i) => `(param $p${i} i32)`)}
  (local $a i32) (local $b i32) (local $end i32) (local $k i32) (local $x ${T}) (local $s v128)
  ${repeat(4, (i) => `(local $c${i} v128)`)}
  ${repeat(GEMM_MAX_ARGS, (i) => `(i32.store offset=${SCRATCH.args + 4 * i} ${g("scratch")} (local.get $p${i}))`)}
  (i32.store offset=${SCRATCH.calls} ${g("scratch")} (i32.add (i32.load offset=${SCRATCH.calls} ${g("scratch")})
    (i32.const 1)))
  (local.set $a (i32.add ${argPtr(g("argA"))} (i32.mul ${g("aOff")} (i32.const ${elt}))))
  (local.set $b (i32.add ${argPtr(g("argB"))} (i32.mul ${g("bOff")} (i32.const ${elt}))))
  (if (i32.and (i32.eq ${g("aSk")} (i32.const 1)) (i32.eq ${g("bSk")} (i32.const 1)))
    (then
      (local.set $end (i32.add (local.get $a) (i32.mul (i32.and ${g("K")} (i32.const ${-4 * lanes}))
        (i32.const ${elt}))))
      (block $vDone (loop $v
        (br_if $vDone (i32.ge_u (local.get $a) (local.get $end)))
        ${repeat(4, (i) => {
          const load = (from: string) => `(v128.load offset=${16 * i} (local.get $${from}))`;
          return `(local.set $c${i} ${madd(load("a"), load("b"), `(local.get $c${i})`)})`;
        })}
        (local.set $a (i32.add (local.get $a) (i32.const 64)))
        (local.set $b (i32.add (local.get $b) (i32.const 64)))
        (br $v)))
      (local.set $k (i32.and ${g("K")} (i32.const ${-4 * lanes})))))
  ;; Scalar tail (or every element, for strided operands).
  (block $sDone (loop $sc
    (br_if $sDone (i32.ge_u (local.get $k) ${g("K")}))
    (local.set $x (${T}.add (local.get $x) (${T}.mul (${T}.load (local.get $a)) (${T}.load (local.get $b)))))
    (local.set $a (i32.add (local.get $a) (i32.mul ${g("aSk")} (i32.const ${elt}))))
    (local.set $b (i32.add (local.get $b) (i32.mul ${g("bSk")} (i32.const ${elt}))))
    (local.set $k (i32.add (local.get $k) (i32.const 1)))
    (br $sc)))
  (local.set $s (${V}.add (${V}.add (local.get $c0) (local.get $c1)) (${V}.add (local.get $c2) (local.get $c3))))
  (${T}.store ${argPtr(g("argOut"))} (${T}.add
    (local.get $x) ${laneSum})))
)`;
}

/**
 * The GEMM's entry without the product: saves the argument pointers into scratch and counts the call, as the
 * GEMM's `kernel` does. With threads, jax-js dispatches this and the pool then runs the product's tiles
 * (src/engine/threads/), so the pointers of jax-js's private buffer table reach the workers.
 */
export function argsSaverWat(shared: boolean): string {
  const g = (name: string) => `(global.get $${name})`;
  const args = Array.from({ length: GEMM_MAX_ARGS }, (_, i) => i);
  return `(module
(import "env" "memory" (memory 0${shared ? " 65536 shared" : ""}))
${GEMM_PARAMS.map((name) => `(global $${name} i32 (i32.const 0))`).join("\n")}
(func (export "kernel") ${args.map((i) => `(param $p${i} i32)`).join(" ")}
  ${args.map((i) => `(i32.store offset=${SCRATCH.args + 4 * i} ${g("scratch")} (local.get $p${i}))`).join("\n  ")}
  (i32.store offset=${SCRATCH.calls} ${g("scratch")} (i32.add (i32.load offset=${SCRATCH.calls} ${g("scratch")})
    (i32.const 1)))))`;
}
