/**
 * A child process for test/engine/threads.test.ts: start-up variants that need a fresh process
 * (jax-js decides on its memory when it loads). Prints threadStatus() and whether a product worked.
 * `node --import tsx test/engine/threadsChild.ts jax-first|no-sab|plain|set-1|set-2`.
 */
const mode = process.argv[2];
if (mode === "jax-first") await import("@jax-js/jax"); // jax-js loads before the preload
if (mode === "no-sab") delete (globalThis as Record<string, unknown>).SharedArrayBuffer;
await import("../../src/engine/nodeSetup.js");
let before = true;
if (mode === "jax-first") {
  // A kernel compiled before startEngine: jax-js must not be told its (plain) memory is shared.
  const { numpy } = await import("@jax-js/jax");
  const ones = numpy.ones([64, 64]);
  before = (await numpy.multiply(numpy.matmul(ones.ref, ones), 2).data()).every((v: number) => v === 128);
}
const { startEngine, toDevice, precisionOf, setThreads } = await import("../../src/engine/index.js");
if (mode.startsWith("set-")) setThreads(Number(mode.slice(4))); // set-1, set-2: setThreads(n) before startEngine
const { threadStatus, threadsReady } = await import("../../src/engine/threads/install.js");
const { numpy: np } = await import("@jax-js/jax");
await startEngine();
const atStart = threadStatus().reason; // the pool starts in the background
await threadsReady();
const f32 = precisionOf("float32");
const n = 200; // 8 M multiply-adds: large enough for the pool
const a = toDevice(new Float32Array(n * n).fill(1), [n, n], f32);
const product = await np.matmul(a.ref, a).data();
// The pool is left running on purpose: an unref'd pool must not keep the process alive.
console.log(
  JSON.stringify({
    atStart,
    status: threadStatus(),
    productOk: before && (product as Float32Array).every((v) => v === n),
  }),
);
