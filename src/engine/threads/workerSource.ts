/**
 * The source of one pool thread (plain JavaScript, evaluated by worker_threads in Node or run as a Web
 * Worker from a Blob URL in a page). One loop for both: it spins on the job counter for `spinMs`, then
 * sleeps in Atomics.wait; for each job it claims tiles until none are left, runs each with its own
 * instance of that product's GEMM module (its own scratch block) or of the jax-js kernel (a range of its
 * work items), and counts it done. A worker takes a job only once it holds the job's module; until then
 * the main thread runs the tiles. Modules arrive by message, and the two transports differ only there:
 * Node reads its port synchronously, a Web Worker must return to its event loop to receive one.
 */
import { CONTROL as C } from "./control.js";

/** Needs `memory`, `ctl` (the control block), `scratch`, `spinMs`, `me` (worker index) and `collect()`. */
const LOOP = `
const ranges = new Map();
let received = 0;
let seen = 0;
const mailWord = () => ${C.LENGTH} + 2 * me;
function accept(message) {
  const { exports } = new WebAssembly.Instance(message.module, { env: { memory } });
  // A GEMM module's range(m0, m1, n0, n1), or a jax-js kernel(...pointers, begin, end).
  ranges.set(message.id, exports.range ?? exports.kernel);
  Atomics.store(ctl, mailWord() + 1, ++received);
}
const mailWaiting = () => Atomics.load(ctl, mailWord()) > received;
const holds = (id) => ranges.has(id) || (mailWaiting() && collect() && ranges.has(id));
function work(seq) {
  const tag = seq & 0x7fff;
  for (;;) {
    const word = Atomics.load(ctl, ${C.CLAIM});
    if (word >>> 16 !== tag) return;
    const tile = word & 0xffff;
    if (tile >= ctl[${C.TILES}]) return;
    // Without this job's module yet: the main thread runs its tiles.
    if (!holds(ctl[${C.ID}])) return;
    if (Atomics.compareExchange(ctl, ${C.CLAIM}, word, word + 1) !== word) continue;
    // Holding an unfinished tile, the job's fields cannot change under us; they are read after every
    // claim (16 words), so even a claim made after the 15-bit job tag wrapped around runs the right job.
    try {
      const axis = ctl[${C.AXIS}];
      const range = ranges.get(ctl[${C.ID}]);
      if (!range) throw new Error("no module for job " + ctl[${C.ID}]);
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
// Serves jobs until STOP (returns true) or until a module is on its way that collect() cannot fetch (false).
function serve() {
  for (;;) {
    let spins = 0;
    const until = performance.now() + spinMs;
    while (Atomics.load(ctl, ${C.SEQ}) === seen) {
      if (mailWaiting() && !collect()) return false;
      if ((++spins & 255) === 0 && performance.now() > until) {
        Atomics.add(ctl, ${C.SLEEPERS}, 1);
        Atomics.wait(ctl, ${C.SEQ}, seen);
        Atomics.sub(ctl, ${C.SLEEPERS}, 1);
      }
    }
    seen = Atomics.load(ctl, ${C.SEQ});
    if (Atomics.load(ctl, ${C.STOP})) return true;
    work(seen);
  }
}
`;

/** Node (worker_threads, eval): modules are read from the port synchronously, whenever one is waiting. */
export const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require("node:worker_threads");
const { memory, control, port, scratch, spinMs, me } = workerData;
const ctl = new Int32Array(control);
function collect() {
  for (let entry; (entry = receiveMessageOnPort(port)); ) accept(entry.message);
  return true;
}
${LOOP}
seen = Atomics.load(ctl, ${C.SEQ});
serve();
`;

/**
 * A Web Worker (classic script from a Blob URL): the first message carries the memory and the control
 * block, every later one a module. The loop runs inside the message handler and returns to the event
 * loop whenever a module has been announced, so the next message can be delivered.
 */
export const BROWSER_WORKER_SOURCE = `
let memory, ctl, scratch, spinMs, me;
const collect = () => false;
${LOOP}
self.onmessage = (event) => {
  const message = event.data;
  if (message.control) {
    ({ memory, scratch, spinMs, me } = message);
    ctl = new Int32Array(message.control);
    seen = Atomics.load(ctl, ${C.SEQ});
    postMessage("ready");
  } else accept(message);
  if (!mailWaiting() && serve()) close();
};
`;
