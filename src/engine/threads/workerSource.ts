/**
 * The source of one pool thread (evaluated by worker_threads, so plain JavaScript). It spins on the
 * job counter for `spinMs`, then sleeps in Atomics.wait; for each job it claims tiles until none
 * are left, runs each with its own instance of that product's GEMM module (its own scratch block) or
 * of the jax-js kernel (a range of its work items), and counts it done. Modules arrive on a
 * MessagePort, read synchronously when a job first needs one.
 */
import { CONTROL as C } from "./control.js";

export const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require("node:worker_threads");
const { memory, control, port, scratch, spinMs } = workerData;
const ctl = new Int32Array(control);
const ranges = new Map();
function rangeOf(id) {
  const deadline = Date.now() + 10000;
  for (;;) {
    const range = ranges.get(id);
    if (range) return range;
    const entry = receiveMessageOnPort(port);
    if (entry) {
      const { exports } = new WebAssembly.Instance(entry.message.module, { env: { memory } });
      // A GEMM module's range(m0, m1, n0, n1), or a jax-js kernel(...pointers, begin, end).
      ranges.set(entry.message.id, exports.range ?? exports.kernel);
    } else if (Date.now() > deadline) throw new Error("no module for product " + id);
  }
}
function work(seq) {
  const tag = seq & 0x7fff;
  for (;;) {
    const word = Atomics.load(ctl, ${C.CLAIM});
    if (word >>> 16 !== tag) return;
    const tile = word & 0xffff;
    if (tile >= ctl[${C.TILES}]) return;
    if (Atomics.compareExchange(ctl, ${C.CLAIM}, word, word + 1) !== word) continue;
    // Holding an unfinished tile, the job's fields cannot change under us; they are read after every
    // claim (16 words), so even a claim made after the 15-bit job tag wrapped around runs the right job.
    try {
      const axis = ctl[${C.AXIS}];
      const range = rangeOf(ctl[${C.ID}]);
      let pointers = null;
      if (axis === 2) pointers = Array.from(ctl.subarray(${C.ARGS}, ${C.ARGS} + ctl[${C.N}]));
      else {
        const heap = new Int32Array(memory.buffer);
        for (let i = 0; i < 16; i++) heap[(scratch >> 2) + i] = ctl[${C.ARGS} + i];
      }
      const start = tile * ctl[${C.SIZE}];
      const end = Math.min(axis === 1 ? ctl[${C.N}] : ctl[${C.M}], start + ctl[${C.SIZE}]);
      if (axis === 0) range(start, end, 0, ctl[${C.N}]);
      else if (axis === 1) range(0, ctl[${C.M}], start, end);
      else range(...pointers, start, end);
    } catch (error) {
      Atomics.store(ctl, ${C.ERROR}, 1);
      console.error("descent thread:", error);
    }
    Atomics.add(ctl, ${C.DONE}, 1);
  }
}
let seen = Atomics.load(ctl, ${C.SEQ});
for (;;) {
  let spins = 0;
  const until = performance.now() + spinMs;
  while (Atomics.load(ctl, ${C.SEQ}) === seen) {
    if ((++spins & 255) === 0 && performance.now() > until) {
      Atomics.add(ctl, ${C.SLEEPERS}, 1);
      Atomics.wait(ctl, ${C.SEQ}, seen);
      Atomics.sub(ctl, ${C.SLEEPERS}, 1);
    }
  }
  seen = Atomics.load(ctl, ${C.SEQ});
  if (Atomics.load(ctl, ${C.STOP})) break;
  work(seen);
}
`;
