/**
 * The Wasm half of a float64 kernel that runs as JavaScript (see hook.ts): a module with jax-js's
 * kernel signature, `kernel(ptr_0 … ptr_n-1, begin, end)`, whose only work is to store the buffer
 * addresses jax-js passes it into a scratch block, where the JavaScript loop then reads them. It is
 * written as bytes here (a dozen instructions) so that no assembler runs at start-up.
 */
import { kernelModuleBytes, sleb, uleb } from "../wasmBytes.js";

/** Where the pointers go: a fixed scratch address, or (for the start-up probe) the first pointer itself. */
export type PointerTarget = number | "self";

/**
 * Bytes of a module storing its `pointers` i32 arguments at `target + 4i` (i32 little-endian).
 * `shared` must match jax-js's memory (shared exactly when it can start workers).
 */
export function pointerModuleBytes(pointers: number, target: PointerTarget, shared: boolean): Uint8Array<ArrayBuffer> {
  const params = pointers + 2; // jax-js appends the work range [begin, end)
  const body: number[] = [0]; // no locals
  for (let i = 0; i < pointers; i++) {
    if (target === "self") body.push(0x20, 0);
    else body.push(0x41, ...sleb((target + 4 * i) | 0)); // i32.const is signed
    body.push(0x20, ...uleb(i), 0x36, 2, 0); // local.get i; i32.store align=4 offset=0
  }
  body.push(0x0b);
  return kernelModuleBytes(params, body, shared);
}
