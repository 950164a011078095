/**
 * Writes the WAT text of Descent's packed GEMM (C = A·B, any strides, optional C += E and ReLU
 * epilogue), in the calling convention of a jax-js Wasm kernel: one export `kernel(ptr0, …)`
 * taking the argument pointers, importing only `env.memory`. Build-time only (scripts/gemm/build.ts
 * compiles it with wabt); the package ships the bytes in src/engine/gemm/modules.generated.ts.
 *
 * Design (GotoBLAS-style): B is packed into NR-wide column panels of KC rows, A into MR-row panels
 * (then (MR − 1)-row ones, so that every tile is full); an MR×NR register tile (two vectors per row)
 * walks K one step per loop iteration. docs/engine.md section 1 says why this tile and these loads.
 */

import { GEMM_PARAMS } from "../../src/engine/gemm/module.js";

export type GemmDtype = "float32" | "float64";

// The kernel's parameters, in global-section order, are the runtime's (one list for both sides).
export { GEMM_PARAMS };

/** Pointer arguments the entry point accepts (jax-js passes inputs, the output, then begin/end). */
export const GEMM_MAX_ARGS = 16;

/**
 * The register tile: MR rows × two vectors of accumulators, and how A's values are splat across a vector.
 * An f32x4 FMA has a latency of four cycles and two issue ports, so eight independent accumulators only just
 * keep it busy (87–88 % of the 12-chain peak, measured); ten reach 96–99 %. V8 gives Wasm 15 vector registers and
 * TurboFan places every load of an iteration before its arithmetic, so 5 rows of splat loads (10 + 2 + 5) would
 * spill. With `shuffleSplat` one vector load brings four rows of A and pure shuffles splat them next to their
 * use: 10 accumulators + 2 B vectors + the A vector + 1 splat + row 5's load = 15. The mul+add variant needs
 * a register for the product and float64 two A vectors: both keep 4 rows of splat loads (8 accumulators).
 */
export function microTile(dtype: GemmDtype, fma: boolean): { MR: number; shuffleSplat: boolean } {
  return dtype === "float32" && fma ? { MR: 5, shuffleSplat: true } : { MR: 4, shuffleSplat: false };
}

/** Block sizes, in elements: rows of A per packed block (32 tiles of MR), K per block, columns of B per block. */
export const BLOCKS = { MC_TILES: 32, KC: 256, NC: { float32: 512, float64: 256 } } as const;

/** Scratch layout in bytes: argument pointers, an edge tile, then packed A and packed B. */
export const SCRATCH = { args: 0, tile: 64, calls: 256, packedA: 512 } as const;

export function scratchBytes(dtype: GemmDtype): number {
  const elt = dtype === "float32" ? 4 : 8;
  const MR = Math.max(microTile(dtype, true).MR, microTile(dtype, false).MR);
  return SCRATCH.packedA + (BLOCKS.MC_TILES * MR + BLOCKS.NC[dtype]) * BLOCKS.KC * elt;
}

/** Overrides of the tile and block sizes, for experiments (bench/gemmTiles.ts's variants). */
export interface GemmShapeOptions {
  MR?: number;
  shuffleSplat?: boolean;
  /** false: no (MR − 1)-row tail panels, the last panel is zero-padded instead. */
  tailPanels?: boolean;
  KC?: number;
  MC?: number;
  NC?: number;
}

export function gemmWat(dtype: GemmDtype, fma: boolean, options: GemmShapeOptions = {}): string {
  const tile = microTile(dtype, fma);
  const MR = options.MR ?? tile.MR;
  const shuffleSplat = options.shuffleSplat ?? tile.shuffleSplat;
  const KC = options.KC ?? BLOCKS.KC;
  const MC = options.MC ?? BLOCKS.MC_TILES * MR;
  const f32 = dtype === "float32";
  const T = f32 ? "f32" : "f64";
  const V = f32 ? "f32x4" : "f64x2";
  const elt = f32 ? 4 : 8;
  const lanes = 16 / elt;
  const NR = 2 * lanes; // two vectors per row
  const splat = f32 ? "v128.load32_splat" : "v128.load64_splat";
  const NC = options.NC ?? BLOCKS.NC[dtype];
  const packedB = SCRATCH.packedA + MC * KC * elt;
  if (SCRATCH.tile + 32 * MR > SCRATCH.calls) throw new Error(`an edge tile of ${MR} rows overruns the scratch header`);
  const g = (name: string) => `(global.get $${name})`;
  const madd = (a: string, b: string, c: string) =>
    fma ? `(${V}.relaxed_madd ${a} ${b} ${c})` : `(${V}.add (${V}.mul ${a} ${b}) ${c})`;
  const argPtr = (argIndex: string) => `(i32.load (i32.add ${g("scratch")} (i32.shl ${argIndex} (i32.const 2))))`;
  const repeat = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join("\n");

  // Copies one packed k-row of A (a multiple of 4 bytes): whole vectors, then the rest in (overlapping) pieces.
  const copyBytes = (bytes: number) => {
    const piece = (type: string, at: number) =>
      `(${type}.store offset=${at} (local.get $dst) (${type}.load offset=${at} (local.get $src)))`;
    const pieces = Array.from({ length: Math.floor(bytes / 16) }, (_, v) => piece("v128", 16 * v));
    const rest = bytes % 16;
    if (rest && bytes > 16) pieces.push(piece(rest > 8 ? "v128" : "i64", bytes - (rest > 8 ? 16 : 8)));
    else if (rest >= 8) pieces.push(piece("i64", 0), ...(rest > 8 ? [piece("i64", bytes - 8)] : []));
    else if (rest) pieces.push(piece("i32", 0));
    return pieces.join("\n");
  };
  // i8x16.shuffle picking lanes of `width` bytes: indices < 16 / width from the first operand.
  const pick = (width: number, lanesPicked: number[]) =>
    lanesPicked.flatMap((l) => Array.from({ length: width }, (_, b) => l * width + b)).join(" ");
  const load = (i: number) =>
    `(local.set $r${i} (v128.load (i32.add (local.get $src) (i32.mul (i32.const ${i}) (local.get $rowBytes)))))`;
  const shuffle = (width: number, lanesPicked: number[], x: string, y: string) =>
    `(i8x16.shuffle ${pick(width, lanesPicked)} (local.get ${x}) (local.get ${y}))`;
  // Rows r[0..n) loaded as 16 bytes of k each → one packed column per k at dst + k·kBytes + at: groups of four
  // (float32) or two (float64) rows are transposed in registers, a leftover row is stored lane by lane.
  const transposeRows = (r: string[], kBytes: number, at: number): string => {
    const out: string[] = [];
    let i = 0;
    for (; f32 && i + 4 <= r.length; i += 4) {
      const [r0, r1, r2, r3] = r.slice(i, i + 4);
      const o = at + 4 * i;
      out.push(`(local.set $t0 ${shuffle(4, [0, 4, 1, 5], r0, r1)}) (local.set $t1 ${shuffle(4, [2, 6, 3, 7], r0, r1)})
              (local.set $t2 ${shuffle(4, [0, 4, 1, 5], r2, r3)}) (local.set $t3 ${shuffle(4, [2, 6, 3, 7], r2, r3)})
              (v128.store offset=${o} (local.get $dst) ${shuffle(4, [0, 1, 4, 5], "$t0", "$t2")})
              (v128.store offset=${o + kBytes} (local.get $dst) ${shuffle(4, [2, 3, 6, 7], "$t0", "$t2")})
              (v128.store offset=${o + 2 * kBytes} (local.get $dst) ${shuffle(4, [0, 1, 4, 5], "$t1", "$t3")})
              (v128.store offset=${o + 3 * kBytes} (local.get $dst) ${shuffle(4, [2, 3, 6, 7], "$t1", "$t3")})`);
    }
    for (; !f32 && i + 2 <= r.length; i += 2) {
      const o = at + 8 * i;
      out.push(`(v128.store offset=${o} (local.get $dst) ${shuffle(8, [0, 2], r[i], r[i + 1])})
              (v128.store offset=${o + kBytes} (local.get $dst) ${shuffle(8, [1, 3], r[i], r[i + 1])})`);
    }
    for (; i < r.length; i++)
      for (let k = 0; k < lanes; k++)
        out.push(
          `(v128.store${8 * elt}_lane offset=${at + i * elt + k * kBytes} ${k} (local.get $dst) (local.get ${r[i]}))`,
        );
    return out.join("\n              ");
  };
  const rowNames = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `$r${from + i}`);
  // A: MR rows → MR-row columns. B (stored transposed): NR columns → NR-wide rows, in 4-column groups.
  const transposeBlock = (rows: number) => `${repeat(rows, load)}
              ${transposeRows(rowNames(rows), rows * elt, 0)}`;
  const transposeBlockB = `${repeat(NR, load)}
              ${transposeRows(rowNames(NR), NR * elt, 0)}`;
  const globals = GEMM_PARAMS.map((name) => `(global $${name} i32 (i32.const 0))`).join("\n");
  const params = repeat(GEMM_MAX_ARGS, (i) => `(param $p${i} i32)`);
  const saveArgs = repeat(
    GEMM_MAX_ARGS,
    (i) => `(i32.store offset=${SCRATCH.args + 4 * i} ${g("scratch")} (local.get $p${i}))`,
  );

  // One K step of the micro-kernel: a row of ${NR} B values at bp, a column of ${MR} A values at ap.
  // A's value for row i splat across a vector: shuffled out of one vector load per `lanes` rows (shuffles are pure,
  // so TurboFan places each next to its use), or loaded as a splat for the rows left over.
  const aVectorsOf = (MR: number, shuffleSplat: boolean) => (shuffleSplat ? Math.floor(MR / lanes) : 0);
  const aSplat = (i: number, aVectors: number) => {
    if (i >= aVectors * lanes) return `(${splat} offset=${i * elt} (local.get $ap))`;
    const v = `(local.get $av${Math.floor(i / lanes)})`;
    return `(i8x16.shuffle ${pick(elt, Array(lanes).fill(i % lanes))} ${v} ${v})`;
  };
  const kStep = (MR: number, aVectors: number) => `
    (local.set $b0 (v128.load (local.get $bp)))
    (local.set $b1 (v128.load offset=16 (local.get $bp)))
    ${repeat(aVectors, (v) => `(local.set $av${v} (v128.load offset=${16 * v} (local.get $ap)))`)}
    ${repeat(
      MR,
      (i) => `
    (local.set $a ${aSplat(i, aVectors)})
    (local.set $c${2 * i} ${madd("(local.get $a)", "(local.get $b0)", `(local.get $c${2 * i})`)})
    (local.set $c${2 * i + 1} ${madd("(local.get $a)", "(local.get $b1)", `(local.get $c${2 * i + 1})`)})`,
    )}`;

  // ${MR}×${NR} register tile (rows of A × columns of B) over packed panels.
  const micro = (MR: number, shuffleSplat: boolean) => {
    const aVectors = aVectorsOf(MR, shuffleSplat);
    const storeFullRow = (i: number, v: number) => {
      const at = `offset=${v * 16} (i32.add (local.get $cp) (i32.mul (i32.const ${i}) (local.get $rowBytes)))`;
      return `(if (local.get $first)
      (then (v128.store ${at} (local.get $c${2 * i + v})))
      (else (v128.store ${at} (${V}.add (v128.load ${at}) (local.get $c${2 * i + v})))))`;
    };
    return `;; ${MR}×${NR} register tile over packed panels; adds into C (or overwrites it on the first K block).
(func $micro${MR} (param $ap i32) (param $bp i32) (param $kc i32) (param $cp i32) (param $rows i32) (param $cols i32)
  (param $first i32) (param $rowBytes i32)
  (local $aEnd i32) (local $a v128) ${repeat(aVectors, (v) => `(local $av${v} v128)`)} (local $b0 v128) (local $b1 v128)
    (local $i i32) (local $j i32) (local $at i32)
  ${repeat(2 * MR, (i) => `(local $c${i} v128)`)}
  (local.set $aEnd (i32.add (local.get $ap) (i32.mul (local.get $kc) (i32.const ${MR * elt}))))
  (loop $k
    ${kStep(MR, aVectors)}
    (local.set $ap (i32.add (local.get $ap) (i32.const ${MR * elt})))
    (local.set $bp (i32.add (local.get $bp) (i32.const ${NR * elt})))
    (br_if $k (i32.lt_u (local.get $ap) (local.get $aEnd))))
  (if (i32.and (i32.eq (local.get $rows) (i32.const ${MR})) (i32.eq (local.get $cols) (i32.const ${NR})))
    (then ${repeat(MR, (i) => storeFullRow(i, 0) + storeFullRow(i, 1))} (return)))
  ;; Edge tile: spill the accumulators, then add the valid part into C element by element.
  ${repeat(2 * MR, (i) => `(v128.store offset=${SCRATCH.tile + 16 * i} ${g("scratch")} (local.get $c${i}))`)}
  (local.set $i (i32.const 0))
  (loop $row
    (local.set $j (i32.const 0))
    (loop $col
      (local.set $at (i32.add (i32.add (local.get $cp) (i32.mul (local.get $i) (local.get $rowBytes))) (i32.mul
        (local.get $j) (i32.const ${elt}))))
      (${T}.store (local.get $at)
        (${T}.add
          (if (result ${T}) (local.get $first) (then (${T}.const 0)) (else (${T}.load (local.get $at))))
          (${T}.load offset=${SCRATCH.tile} (i32.add ${g("scratch")} (i32.mul (i32.add (i32.mul (local.get $i)
            (i32.const ${NR})) (local.get $j)) (i32.const ${elt}))))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $col (i32.lt_u (local.get $j) (local.get $cols))))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br_if $row (i32.lt_u (local.get $i) (local.get $rows)))))

`;
  };

  // Whether the tail panels would need more rows than the block has (then one zero-padded panel instead).
  const tailTooLong = `(i32.gt_u (i32.mul (local.get $tail) (i32.const ${MR - 1})) (local.get $mc))`;
  // Where packed A's row `row` (an i32 expression) starts: panels of any height hold kc values per row.
  const packedAt = (row: string) =>
    `(i32.add (i32.add ${g("scratch")} (i32.const ${SCRATCH.packedA}))
      (i32.mul ${row} (i32.mul (local.get $kc) (i32.const ${elt}))))`;
  // The micro-kernel call for the panel at row ir (rows up to `rowsEnd` valid) and B's panel at column jr.
  const callMicro = (MR: number, rowsEnd: string) => `(call $micro${MR}
              ${packedAt("(local.get $ir)")}
              (i32.add (i32.add ${g("scratch")} (i32.const ${packedB})) (i32.mul (local.get $jr) (i32.mul
                (local.get $kc) (i32.const ${elt}))))
              (local.get $kc)
              (i32.add (local.get $c) (i32.add (i32.mul (i32.add (local.get $ic) (local.get $ir))
                (local.get $rowBytes)) (i32.mul (i32.add (local.get $jc) (local.get $jr)) (i32.const ${elt}))))
              (select (i32.const ${MR}) (i32.sub (local.get ${rowsEnd}) (local.get $ir)) (i32.ge_s
                (i32.sub (local.get ${rowsEnd}) (local.get $ir)) (i32.const ${MR})))
              (select (i32.const ${NR}) (i32.sub (local.get $nc) (local.get $jr)) (i32.ge_s (i32.sub (local.get $nc)
                (local.get $jr)) (i32.const ${NR})))
              (i32.eqz (local.get $pc))
              (local.get $rowBytes))`;

  // Packs A's rows into MR-row panels: vector copies, register transposes or element by element.
  const packA = (
    MR: number,
  ) => `;; Packs rows [ic, ic+mc) × K range [pc, pc+kc) of A into ${MR}-row panels at dst, the last one zero-padded.
(func $packA${MR} (param $a i32) (param $ic i32) (param $mc i32) (param $pc i32) (param $kc i32) (param $dst i32)
  (local $p i32) (local $k i32) (local $i i32) (local $row i32) (local $src i32) (local $stepK i32)
    (local $rowBytes i32)
  ${repeat(MR, (i) => `(local $r${i} v128)`)} ${repeat(4, (i) => `(local $t${i} v128)`)}
  (local.set $stepK (i32.mul ${g("aSk")} (i32.const ${elt})))
  (local.set $p (i32.const 0))
  (loop $panel
    (local.set $src (i32.add (local.get $a) (i32.mul (i32.add (i32.mul (i32.add (local.get $ic)
      (local.get $p)) ${g("aSm")}) (i32.mul (local.get $pc) ${g("aSk")})) (i32.const ${elt}))))
    (local.set $k (i32.const 0))
    (if (i32.and (i32.le_u (i32.add (local.get $p) (i32.const ${MR})) (local.get $mc)) (i32.eq ${g("aSm")}
      (i32.const 1)))
      (then ;; ${MR} consecutive rows sit next to each other (A is a transposed view): vector copies
        (loop $kv
          ${copyBytes(MR * elt)}
          (local.set $src (i32.add (local.get $src) (local.get $stepK)))
          (local.set $dst (i32.add (local.get $dst) (i32.const ${MR * elt})))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $kv (i32.lt_u (local.get $k) (local.get $kc)))))
      (else
        (if (i32.and (i32.le_u (i32.add (local.get $p) (i32.const ${MR})) (local.get $mc)) (i32.eq ${g("aSk")}
          (i32.const 1)))
          (then ;; rows run along k (A row-major): transpose ${MR}×${lanes} blocks in registers
            (local.set $rowBytes (i32.mul ${g("aSm")} (i32.const ${elt})))
            (block $tDone (loop $tv
              (br_if $tDone (i32.gt_u (i32.add (local.get $k) (i32.const ${lanes})) (local.get $kc)))
              ${transposeBlock(MR)}
              (local.set $src (i32.add (local.get $src) (i32.const 16)))
              (local.set $dst (i32.add (local.get $dst) (i32.const ${lanes * MR * elt})))
              (local.set $k (i32.add (local.get $k) (i32.const ${lanes})))
              (br $tv)))))
        (block $sDone (loop $ks
          (br_if $sDone (i32.ge_u (local.get $k) (local.get $kc)))
          (local.set $i (i32.const 0))
          (loop $rs
            (local.set $row (i32.add (local.get $p) (local.get $i)))
            (${T}.store (local.get $dst)
              (if (result ${T}) (i32.lt_u (local.get $row) (local.get $mc))
                (then (${T}.load (i32.add (local.get $src) (i32.mul (i32.mul (local.get $i) ${g("aSm")})
                  (i32.const ${elt})))))
                (else (${T}.const 0))))
            (local.set $dst (i32.add (local.get $dst) (i32.const ${elt})))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $rs (i32.lt_u (local.get $i) (i32.const ${MR}))))
          (local.set $src (i32.add (local.get $src) (local.get $stepK)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $ks)))))
    (local.set $p (i32.add (local.get $p) (i32.const ${MR})))
    (br_if $panel (i32.lt_u (local.get $p) (local.get $mc)))))

`;

  return `(module
(import "env" "memory" (memory 0 65536 shared))
${globals}

${micro(MR, shuffleSplat)}
${MR > 1 ? micro(MR - 1, false) : ""}
${packA(MR)}
${MR > 1 ? packA(MR - 1) : ""}
;; Packs K range [pc, pc+kc) × columns [jc, jc+nc) of B into ${NR}-column panels, zero-padded.
(func $packB (param $b i32) (param $pc i32) (param $kc i32) (param $jc i32) (param $nc i32)
  (local $dst i32) (local $q i32) (local $k i32) (local $j i32) (local $src i32) (local $stepK i32) (local $stepN i32)
    (local $rowBytes i32)
  ${repeat(NR, (i) => `(local $r${i} v128)`)} ${repeat(4, (i) => `(local $t${i} v128)`)}
  (local.set $dst (i32.add ${g("scratch")} (i32.const ${packedB})))
  (local.set $stepK (i32.mul ${g("bSk")} (i32.const ${elt})))
  (local.set $stepN (i32.mul ${g("bSn")} (i32.const ${elt})))
  (local.set $q (i32.const 0))
  (loop $panel
    (local.set $src (i32.add (local.get $b) (i32.mul (i32.add (i32.mul (local.get $pc) ${g("bSk")}) (i32.mul (i32.add
      (local.get $jc) (local.get $q)) ${g("bSn")})) (i32.const ${elt}))))
    (local.set $k (i32.const 0))
    (if (i32.and (i32.le_u (i32.add (local.get $q) (i32.const ${NR})) (local.get $nc)) (i32.eq ${g("bSn")}
      (i32.const 1)))
      (then ;; a full panel of a row-major B: two vector copies per row
        (loop $kv
          (v128.store (local.get $dst) (v128.load (local.get $src)))
          (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $src)))
          (local.set $src (i32.add (local.get $src) (local.get $stepK)))
          (local.set $dst (i32.add (local.get $dst) (i32.const ${NR * elt})))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $kv (i32.lt_u (local.get $k) (local.get $kc)))))
      (else
        (if (i32.and (i32.le_u (i32.add (local.get $q) (i32.const ${NR})) (local.get $nc)) (i32.eq ${g("bSk")}
          (i32.const 1)))
          (then ;; B is a transposed view (columns run along k): transpose ${NR}×${lanes} blocks in registers
            (local.set $rowBytes (local.get $stepN))
            (block $tDone (loop $tv
              (br_if $tDone (i32.gt_u (i32.add (local.get $k) (i32.const ${lanes})) (local.get $kc)))
              ${transposeBlockB}
              (local.set $src (i32.add (local.get $src) (i32.const 16)))
              (local.set $dst (i32.add (local.get $dst) (i32.const ${lanes * NR * elt})))
              (local.set $k (i32.add (local.get $k) (i32.const ${lanes})))
              (br $tv)))))
        (block $sDone (loop $ks
          (br_if $sDone (i32.ge_u (local.get $k) (local.get $kc)))
          (local.set $j (i32.const 0))
          (loop $cs
            (${T}.store (local.get $dst)
              (if (result ${T}) (i32.lt_u (i32.add (local.get $q) (local.get $j)) (local.get $nc))
                (then (${T}.load (i32.add (local.get $src) (i32.mul (local.get $j) (local.get $stepN)))))
                (else (${T}.const 0))))
            (local.set $dst (i32.add (local.get $dst) (i32.const ${elt})))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br_if $cs (i32.lt_u (local.get $j) (i32.const ${NR}))))
          (local.set $src (i32.add (local.get $src) (local.get $stepK)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $ks)))))
    (local.set $q (i32.add (local.get $q) (i32.const ${NR})))
    (br_if $panel (i32.lt_u (local.get $q) (local.get $nc)))))

;; C = A·B over rows [m0, m1) × columns [n0, n1) of C; then the epilogue C = relu?(C + E) there, if matched.
;; Each element's sum runs over the same K blocks in the same order whatever the range (threads split by range).
(func $gemm (param $m0 i32) (param $m1 i32) (param $n0 i32) (param $n1 i32)
  (local $a i32) (local $b i32) (local $c i32) (local $e i32) (local $rowBytes i32)
  (local $jc i32) (local $nc i32) (local $pc i32) (local $kc i32) (local $ic i32) (local $mc i32)
  (local $jr i32) (local $ir i32) (local $m i32) (local $n i32) (local $at i32) (local $x ${T}) (local $v v128)
    (local $vectors i32) (local $kcStep i32) (local $tail i32) (local $mainRows i32)
  (local.set $a (i32.add ${argPtr(g("argA"))} (i32.mul ${g("aOff")} (i32.const ${elt}))))
  (local.set $b (i32.add ${argPtr(g("argB"))} (i32.mul ${g("bOff")} (i32.const ${elt}))))
  (local.set $c ${argPtr(g("argOut"))})
  (local.set $rowBytes (i32.mul ${g("N")} (i32.const ${elt})))
  ;; Equal K blocks of at most ${KC}.
  (local.set $kcStep (i32.div_u (i32.add ${g("K")} (i32.const ${KC - 1})) (i32.const ${KC})))
  (local.set $kcStep (i32.div_u (i32.add ${g("K")} (i32.sub (local.get $kcStep) (i32.const 1))) (local.get $kcStep)))
  (local.set $jc (local.get $n0))
  (loop $jcLoop
    (local.set $nc (i32.sub (local.get $n1) (local.get $jc)))
    (if (i32.gt_u (local.get $nc) (i32.const ${NC})) (then (local.set $nc (i32.const ${NC}))))
    (local.set $pc (i32.const 0))
    (loop $pcLoop
      (local.set $kc (i32.sub ${g("K")} (local.get $pc)))
      (if (i32.gt_u (local.get $kc) (local.get $kcStep)) (then (local.set $kc (local.get $kcStep))))
      (call $packB (local.get $b) (local.get $pc) (local.get $kc) (local.get $jc) (local.get $nc))
      (local.set $ic (local.get $m0))
      (loop $icLoop
        (local.set $mc (i32.sub (local.get $m1) (local.get $ic)))
        (if (i32.gt_u (local.get $mc) (i32.const ${MC})) (then (local.set $mc (i32.const ${MC}))))
        ;; Rows as MR-row panels then tail panels of MR − 1, so that every panel is full: mc = MR·a + (MR − 1)·tail.
        ;; (A block too small for that keeps one zero-padded MR-row panel.)
        (local.set $tail (i32.rem_u (i32.sub (i32.const ${MR}) (i32.rem_u (local.get $mc) (i32.const ${MR})))
          (i32.const ${MR})))
        (if ${options.tailPanels === false ? "(i32.const 1)" : tailTooLong}
          (then (local.set $tail (i32.const 0))))
        (local.set $mainRows (i32.sub (local.get $mc) (i32.mul (local.get $tail) (i32.const ${MR - 1}))))
        (if (local.get $mainRows)
          (then (call $packA${MR} (local.get $a) (local.get $ic) (local.get $mainRows) (local.get $pc) (local.get $kc)
            ${packedAt("(i32.const 0)")})))
        (if (local.get $tail)
          (then (call $packA${MR - 1} (local.get $a) (i32.add (local.get $ic) (local.get $mainRows))
            (i32.sub (local.get $mc) (local.get $mainRows)) (local.get $pc) (local.get $kc)
            ${packedAt("(local.get $mainRows)")})))
        (local.set $jr (i32.const 0))
        (loop $jrLoop
          (local.set $ir (i32.const 0))
          (block $mainDone (loop $mainLoop
            (br_if $mainDone (i32.ge_u (local.get $ir) (local.get $mainRows)))
            ${callMicro(MR, "$mainRows")}
            (local.set $ir (i32.add (local.get $ir) (i32.const ${MR})))
            (br $mainLoop)))
          (block $tailDone (loop $tailLoop
            (br_if $tailDone (i32.ge_u (local.get $ir) (local.get $mc)))
            ${callMicro(MR - 1, "$mc")}
            (local.set $ir (i32.add (local.get $ir) (i32.const ${MR - 1})))
            (br $tailLoop)))
          (local.set $jr (i32.add (local.get $jr) (i32.const ${NR})))
          (br_if $jrLoop (i32.lt_u (local.get $jr) (local.get $nc))))
        (local.set $ic (i32.add (local.get $ic) (i32.const ${MC})))
        (br_if $icLoop (i32.lt_u (local.get $ic) (local.get $m1))))
      (local.set $pc (i32.add (local.get $pc) (local.get $kcStep)))
      (br_if $pcLoop (i32.lt_u (local.get $pc) ${g("K")})))
    (local.set $jc (i32.add (local.get $jc) (i32.const ${NC})))
    (br_if $jcLoop (i32.lt_u (local.get $jc) (local.get $n1))))
  (if (i32.and (i32.lt_s ${g("argE")} (i32.const 0)) (i32.eqz ${g("relu")})) (then (return)))
  (local.set $e (i32.add ${argPtr(`(select ${g("argE")} (i32.const 0) (i32.ge_s ${g("argE")} (i32.const 0)))`)}
    (i32.mul ${g("eOff")} (i32.const ${elt}))))
  ;; Whole vectors where E runs along n with unit stride (a bias row) or there is no E, then scalars.
  (local.set $vectors (i32.or (i32.lt_s ${g("argE")} (i32.const 0)) (i32.eq ${g("eSn")} (i32.const 1))))
  (local.set $m (local.get $m0))
  (loop $mLoop
    (local.set $n (local.get $n0))
    (local.set $at (i32.add (local.get $c) (i32.add (i32.mul (local.get $m) (local.get $rowBytes)) (i32.mul
      (local.get $n0) (i32.const ${elt})))))
    (if (local.get $vectors) (then (block $vDone (loop $vLoop
      (br_if $vDone (i32.gt_u (i32.add (local.get $n) (i32.const ${lanes})) (local.get $n1)))
      (local.set $v (v128.load (local.get $at)))
      (if (i32.ge_s ${g("argE")} (i32.const 0))
        (then (local.set $v (${V}.add (local.get $v)
          (v128.load (i32.add (local.get $e) (i32.mul (i32.add (i32.mul (local.get $m) ${g("eSm")}) (local.get $n))
            (i32.const ${elt}))))))))
      (if ${g("relu")} (then (local.set $v (${V}.max (local.get $v) (v128.const i32x4 0 0 0 0)))))
      (v128.store (local.get $at) (local.get $v))
      (local.set $at (i32.add (local.get $at) (i32.const 16)))
      (local.set $n (i32.add (local.get $n) (i32.const ${lanes})))
      (br $vLoop)))))
    (block $sDone (loop $nLoop
      (br_if $sDone (i32.ge_u (local.get $n) (local.get $n1)))
      (local.set $x (${T}.load (local.get $at)))
      (if (i32.ge_s ${g("argE")} (i32.const 0))
        (then (local.set $x (${T}.add (local.get $x)
          (${T}.load (i32.add (local.get $e) (i32.mul (i32.add (i32.mul (local.get $m) ${g("eSm")}) (i32.mul
            (local.get $n) ${g("eSn")})) (i32.const ${elt}))))))))
      (if ${g("relu")} (then (local.set $x (${T}.max (local.get $x) (${T}.const 0)))))
      (${T}.store (local.get $at) (local.get $x))
      (local.set $at (i32.add (local.get $at) (i32.const ${elt})))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nLoop)))
    (local.set $m (i32.add (local.get $m) (i32.const 1)))
    (br_if $mLoop (i32.lt_u (local.get $m) (local.get $m1)))))

;; The jax-js kernel entry: keep the argument pointers in scratch, count the call, run the GEMM.
(func (export "kernel") ${params}
  ${saveArgs}
  (i32.store offset=${SCRATCH.calls} ${g("scratch")} (i32.add (i32.load offset=${SCRATCH.calls} ${g("scratch")})
    (i32.const 1)))
  (call $gemm (i32.const 0) ${g("M")} (i32.const 0) ${g("N")}))

;; For threads (src/engine/threads/): one tile of C, the argument pointers already in this module's scratch.
(func (export "range") (param $m0 i32) (param $m1 i32) (param $n0 i32) (param $n1 i32)
  (call $gemm (local.get $m0) (local.get $m1) (local.get $n0) (local.get $n1)))
)`;
}
