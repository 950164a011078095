/**
 * A tiny Wasm kernel that writes the addresses of the buffers it is dispatched on into the first one:
 * kernel(p0, p1, …, p(n−1), begin, end) stores p_i at p0 + 4·i. jax-js's dispatch passes each slot's
 * address as an argument, so one dispatch tells programRunner.ts where a whole jit call's buffers
 * are (jax-js keeps its buffer table private). Missing arguments arrive as 0.
 */
import { kernelModuleBytes, uleb } from "../wasmBytes.js";

/** Addresses per probe dispatch (V8 allows 1000 Wasm parameters). */
export const PROBE_POINTERS = 512;
/**
 * The probe sizes a runner compiles, smallest first: a call from JS costs per parameter (a 514-argument
 * call plus its new Instance took ~15 µs), so a jit call with few buffers uses a small probe.
 */
export const PROBE_SIZES = [16, 64, PROBE_POINTERS] as const;

/** The module's bytes: imports env.memory (unshared, as jax-js's Wasm backend without workers), exports `kernel`. */
export function pointerProbeBytes(pointers = PROBE_POINTERS): Uint8Array<ArrayBuffer> {
  const params = pointers + 2; // + begin, end, which jax-js appends
  const body = [0x00]; // no locals
  for (let i = 0; i < pointers; i++) body.push(0x20, 0x00, 0x20, ...uleb(i), 0x36, 0x02, ...uleb(4 * i)); // i32.store
  body.push(0x0b);
  return kernelModuleBytes(params, body);
}
