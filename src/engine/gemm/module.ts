/**
 * Per-kernel GEMM modules: the shipped template bytes (modules.generated.ts) with their global
 * section rewritten to hold one kernel's shapes, strides and argument positions as constants.
 */
import { GEMM_MODULES } from "./modules.generated.js";
import { readUleb, sleb, uleb } from "../wasmBytes.js";

/** One GEMM's parameters; GEMM_PARAMS gives the order of the template's globals. */
export interface GemmParams {
  M: number;
  N: number;
  K: number;
  argA: number;
  aOff: number;
  aSm: number;
  aSk: number;
  argB: number;
  bOff: number;
  bSn: number;
  bSk: number;
  argOut: number;
  /** Epilogue C = relu?(C + E[eOff + m·eSm + n·eSn]); argE −1 when there is no added view. */
  argE: number;
  eOff: number;
  eSm: number;
  eSn: number;
  relu: number;
  /** Byte address of the scratch block (packed panels, saved argument pointers). */
  scratch: number;
}

/** The globals of the GEMM template, in order: scripts/gemm/wat.ts declares them, runtime writes them. */
export const GEMM_PARAMS: readonly (keyof GemmParams)[] = [
  "M",
  "N",
  "K",
  "argA",
  "aOff",
  "aSm",
  "aSk",
  "argB",
  "bOff",
  "bSn",
  "bSk",
  "argOut",
  "argE",
  "eOff",
  "eSm",
  "eSn",
  "relu",
  "scratch",
];

export type GemmDtype = "float32" | "float64";

/** Scratch bytes one GEMM needs: at least scripts/gemm/wat.ts scratchBytes() of either dtype (a test checks). */
export const GEMM_SCRATCH_BYTES = 1 << 20;

const templates = new Map<string, Uint8Array<ArrayBuffer>>();

/** "gemm": the packed matrix product; "dot": the one-output reduction sum_k A[k]·B[k]. */
export type KernelKind = "gemm" | "dot";

function template(kind: KernelKind, dtype: GemmDtype, fma: boolean, shared: boolean): Uint8Array<ArrayBuffer> {
  const name = `${kind === "dot" ? "dot-" : ""}${dtype}-${fma ? "fma" : "muladd"}-${shared ? "shared" : "plain"}`;
  let bytes = templates.get(name);
  if (!bytes) {
    const b64 = GEMM_MODULES[name];
    if (!b64) throw new Error(`no GEMM module ${name}`);
    bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    templates.set(name, bytes);
  }
  return bytes;
}

/** The template with its global section (id 6) replaced by immutable i32 constants `values`. */
export function withGlobals(bytes: Uint8Array, values: number[]): Uint8Array<ArrayBuffer> {
  const body = [...uleb(values.length)];
  for (const value of values) body.push(0x7f, 0x00, 0x41, ...sleb(value | 0), 0x0b);
  const section = [6, ...uleb(body.length), ...body];
  const parts: number[] = [...bytes.subarray(0, 8)];
  let at = 8;
  let replaced = false;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, start] = readUleb(bytes, at + 1);
    if (id === 6) {
      parts.push(...section);
      replaced = true;
    } else parts.push(...bytes.subarray(at, start + size));
    at = start + size;
  }
  if (!replaced) throw new Error("GEMM template has no global section");
  return Uint8Array.from(parts);
}

/** Bytes of a GEMM module for one kernel; its export `kernel(ptr0, ptr1, …)` runs C = A·B (+ epilogue). */
export function gemmModuleBytes(
  dtype: GemmDtype,
  params: GemmParams,
  opts: { fma: boolean; shared: boolean; kind?: KernelKind },
): Uint8Array<ArrayBuffer> {
  return withGlobals(
    template(opts.kind ?? "gemm", dtype, opts.fma, opts.shared),
    GEMM_PARAMS.map((name) => params[name]),
  );
}
