/**
 * Descent's thread pool in a page, in Debian's Chromium: test/web/threadsPage/ built and served once
 * with the COOP/COEP headers (cross-origin isolated) and once without (pageServer.ts).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type PageServer, servePage } from "./pageServer.js";

let pages: PageServer;

type Status = {
  threads: number;
  reason: string;
  sharedMemory: boolean;
  jobs: number;
  tiles: number;
  mainTiles: number;
};
type Result = {
  isolated: boolean;
  cores: number;
  gemm: { active: boolean; kernels: number; runnerError?: string };
  atStart: string;
  status: Status & { calibration?: { oneMs: number; poolMs: number; gain: boolean } };
  before: Status;
  afterPooled: Status;
  after: Status;
  pooled: { products: number[][]; adam: number[][] };
  single: { products: number[][]; adam: number[][] };
};

before(async () => {
  pages = await servePage("test/web/threadsPage");
});

after(async () => {
  await pages?.close();
});

const runPage = (path: string) => pages.run<Result>(path, "threadsPage");

/** Same bits with the pool on and off: the two products, then every parameter after 3 Adam steps. */
function assertSameBits(result: Result) {
  assert.equal(result.pooled.products.length, 2);
  assert.equal(result.pooled.adam.length, 6);
  assert.deepEqual(result.pooled.products, result.single.products);
  for (let i = 0; i < 6; i++) assert.deepEqual(result.pooled.adam[i], result.single.adam[i], `parameter ${i}`);
}

let isolatedTwo: Promise<Result> | undefined;
/** The isolated page with setThreads(2), loaded once for the two tests that read it. */
const isolatedWithTwo = () => (isolatedTwo ??= runPage("isolated/index.html?threads=2"));

test("cross-origin-isolated page, setThreads(2): 2 threads, tiles on the worker, same bits as 1 thread", async () => {
  const result = await isolatedWithTwo();
  assert.equal(result.isolated, true);
  assert.ok(result.cores >= 1, "the page reports its cores");
  assert.equal(result.gemm.active, true);
  assert.equal(result.gemm.runnerError, undefined, "jax-js's own worker pool is not used");
  assert.ok(result.gemm.kernels > 0, "the products ran on the GEMM, not on jax-js's pool");
  assert.equal(result.atStart, "starting");
  assert.equal(result.status.threads, 2, result.status.reason);
  assert.equal(result.status.reason, "setThreads(2)");
  assert.equal(result.status.sharedMemory, true);
  // 2 products, then 3 steps × the MLP's five large products (as in Node: test/engine/threads.test.ts).
  const pooledJobs = result.afterPooled.jobs - result.before.jobs;
  assert.equal(pooledJobs, 2 + 15);
  const tiles = result.afterPooled.tiles - result.before.tiles;
  const mainTiles = result.afterPooled.mainTiles - result.before.mainTiles;
  console.log(`page, 2 threads: ${pooledJobs} jobs, ${tiles} tiles, ${tiles - mainTiles} of them on the worker`);
  assert.ok(tiles - mainTiles > 0, "the worker ran tiles");
  assert.equal(result.after.jobs, result.afterPooled.jobs, "with the pool off, everything ran on the main thread");
  assertSameBits(result);
});

test("cross-origin-isolated page without setThreads: the start-up calibration decides, and says so", async () => {
  const result = await runPage("isolated/index.html");
  // With one core there is nothing to calibrate: 1 thread, and the reason says so.
  if (result.cores < 2) return assert.match(result.status.reason, /1 core/);
  const { calibration } = result.status;
  assert.ok(calibration, result.status.reason);
  assert.ok(calibration.oneMs > 0 && Number.isFinite(calibration.poolMs));
  assert.equal(calibration.gain, calibration.poolMs <= 0.8 * calibration.oneMs);
  assert.equal(result.status.threads, calibration.gain ? 2 : 1);
  assert.match(result.status.reason, calibration.gain ? /the pool is faster/ : /no gain/);
  console.log(`page calibration: ${JSON.stringify(calibration)}`);
  assertSameBits(result);
});

test("a page that is not cross-origin isolated keeps 1 thread, says why, and computes the same bits", async () => {
  const isolated = await isolatedWithTwo();
  const result = await runPage("plain/index.html?threads=2");
  assert.equal(result.isolated, false);
  assert.equal(result.status.threads, 1);
  assert.equal(result.status.sharedMemory, false);
  assert.match(result.status.reason, /not cross-origin isolated/);
  assert.equal(result.after.jobs, 0);
  assert.equal(result.gemm.active, true);
  assertSameBits(result);
  assert.deepEqual(result.pooled, isolated.pooled);
});
