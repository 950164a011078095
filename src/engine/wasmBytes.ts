/**
 * The few pieces of the Wasm binary format that Descent's generated modules need (LEB128 numbers,
 * names, sections). Shared by every module written as bytes at run time (gemm/, f64/, threads/), so
 * that no assembler runs at start-up.
 */

/** An unsigned LEB128 number. */
export function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** A signed LEB128 number (i32.const and i64.const immediates). */
export function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** Reads an unsigned LEB128 number at `at`: its value and the offset after it. */
export function readUleb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, at];
    shift += 7;
  }
}

/** A name (import module/field, export) as the binary format writes it: its length, then its bytes. */
export const wasmName = (text: string): number[] => [...uleb(text.length), ...Array.from(text, (c) => c.charCodeAt(0))];

/** A section: its id, the payload's length, the payload. */
export const wasmSection = (id: number, payload: number[]): number[] => [id, ...uleb(payload.length), ...payload];

/** The magic number and version that open every module. */
export const WASM_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/**
 * A module with jax-js's kernel shape: one exported function `kernel` of `params` i32 parameters and no
 * result, importing env.memory (shared or not, as jax-js's memory is). `func` is the body: locals first, `end` last.
 */
export function kernelModuleBytes(params: number, func: number[], shared = false): Uint8Array<ArrayBuffer> {
  const limits = shared ? [0x03, 0x00, ...uleb(65536)] : [0x00, 0x00];
  return Uint8Array.from([
    ...WASM_HEADER,
    ...wasmSection(1, [1, 0x60, ...uleb(params), ...new Array(params).fill(0x7f), 0]),
    ...wasmSection(2, [1, ...wasmName("env"), ...wasmName("memory"), 0x02, ...limits]),
    ...wasmSection(3, [1, 0]),
    ...wasmSection(7, [1, ...wasmName("kernel"), 0x00, 0]),
    ...wasmSection(10, [1, ...uleb(func.length), ...func]),
  ]);
}
