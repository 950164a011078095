/**
 * The Wasm half of a float64 kernel that runs as JavaScript (see hook.ts): a module with jax-js's
 * kernel signature, `kernel(ptr_0 … ptr_n-1, begin, end)`, whose only work is to store the buffer
 * addresses jax-js passes it into a scratch block, where the JavaScript loop then reads them. It is
 * written as bytes here (a dozen instructions) so that no assembler runs at start-up.
 */

/** Where the pointers go: a fixed scratch address, or (for the start-up probe) the first pointer itself. */
export type PointerTarget = number | "self";

const uleb = (value: number): number[] => {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
};

const sleb = (value: number): number[] => {
  const bytes: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
};

const section = (id: number, content: number[]): number[] => [id, ...uleb(content.length), ...content];
const name = (text: string): number[] => [...uleb(text.length), ...[...text].map((c) => c.charCodeAt(0))];

/**
 * Bytes of a module storing its `pointers` i32 arguments at `target + 4i` (i32 little-endian).
 * `shared` must match jax-js's memory (shared exactly when it can start workers).
 */
export function pointerModuleBytes(pointers: number, target: PointerTarget, shared: boolean): Uint8Array<ArrayBuffer> {
  const params = pointers + 2; // jax-js appends the work range [begin, end)
  const type = section(1, [1, 0x60, ...uleb(params), ...new Array(params).fill(0x7f), 0]);
  const limits = shared ? [0x03, 0, ...uleb(65536)] : [0x00, 0];
  const imports = section(2, [1, ...name("env"), ...name("memory"), 0x02, ...limits]);
  const functions = section(3, [1, 0]);
  const exports = section(7, [1, ...name("kernel"), 0x00, 0]);
  const body: number[] = [0]; // no locals
  for (let i = 0; i < pointers; i++) {
    if (target === "self") body.push(0x20, 0);
    else body.push(0x41, ...sleb((target + 4 * i) | 0)); // i32.const is signed
    body.push(0x20, ...uleb(i), 0x36, 2, 0); // local.get i; i32.store align=4 offset=0
  }
  body.push(0x0b);
  const code = section(10, [1, ...uleb(body.length), ...body]);
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  return Uint8Array.from([...header, ...type, ...imports, ...functions, ...exports, ...code]);
}
