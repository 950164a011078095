/**
 * The pool logic (src/engine/threads/pool.ts) on its Node transport, with a hand-written module: a worker
 * takes a job's tiles only once it holds that job's module, so a job whose module never reached it is
 * run whole by the main thread (no deadlock), and one it holds is shared.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startNodePool } from "../../src/engine/threads/nodePool.js";
import type { PoolJob, ThreadPool } from "../../src/engine/threads/pool.js";
import { tilePlan } from "../../src/engine/threads/tiles.js";

/** range(m0, m1, n0, n1) stores m1 at byte 1024 + 4·m0, on a shared memory (hand-assembled Wasm). */
const MARKER = Uint8Array.from([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  ...[0x01, 0x08, 0x01, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x00],
  ...[0x02, 0x12, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x03, 0x01],
  ...[0x80, 0x80, 0x04],
  ...[0x03, 0x02, 0x01, 0x00],
  ...[0x07, 0x09, 0x01, 0x05, 0x72, 0x61, 0x6e, 0x67, 0x65, 0x00, 0x00],
  ...[0x0a, 0x12, 0x01, 0x10, 0x00, 0x20, 0x00, 0x41, 0x04, 0x6c, 0x41, 0x80, 0x08, 0x6a, 0x20, 0x01],
  ...[0x36, 0x02, 0x00, 0x0b],
]);
const M = 256;

const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
const marks = new Int32Array(memory.buffer, 1024, M);
let pool: ThreadPool;

before(async () => {
  pool = await startNodePool(memory, [4096]);
});
after(async () => {
  await pool.stop();
});

/** A job over M rows in 4 tiles; with `wait`, main-thread tiles wait (up to 2 s) for a tile done elsewhere. */
function markerJob(id: number, wait: boolean): PoolJob {
  const plan = tilePlan(M, 1, "float32", 2);
  const mine = new Set<number>();
  const range = (m0: number, m1: number) => {
    mine.add(m0);
    const until = performance.now() + (wait ? 2000 : 0);
    const elsewhere = () => marks.some((mark, row) => mark !== 0 && !mine.has(row));
    while (!elsewhere() && performance.now() < until);
    marks[m0] = m1;
  };
  return { id, M, N: 1, plan, range, args: new Int32Array(16), argsAt: 0 };
}

const expected = () => {
  const plan = tilePlan(M, 1, "float32", 2);
  return Array.from({ length: M }, (_, row) => (row % plan.size === 0 ? Math.min(M, row + plan.size) : 0));
};

test("a job whose module the worker never got runs whole on the main thread", () => {
  marks.fill(0);
  const before = { ...pool.counts };
  pool.run(markerJob(1000, false));
  assert.equal(pool.counts.tiles - before.tiles, 4);
  assert.equal(pool.counts.mainTiles - before.mainTiles, 4);
  assert.deepEqual(Array.from(marks), expected());
});

test("once the worker holds the module (delivered), it takes tiles of the job", async () => {
  pool.postModule(0, 1001, new WebAssembly.Module(MARKER));
  assert.equal(await pool.delivered(), true);
  marks.fill(0);
  const before = { ...pool.counts };
  pool.run(markerJob(1001, true));
  const workerTiles = pool.counts.tiles - before.tiles - (pool.counts.mainTiles - before.mainTiles);
  assert.ok(workerTiles >= 1, `${workerTiles} tiles on the worker`);
  assert.deepEqual(Array.from(marks), expected());
});
