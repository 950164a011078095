/**
 * Descent's thread pool in a page, in Debian's Chromium: test/web/threadsPage/ is built with Vite
 * (jax-js left unbundled behind an import map, as docs/engine.md §3 asks of a page) and served once
 * with the COOP/COEP headers (cross-origin isolated) and once without.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { after, before, test } from "node:test";
import { chromium, type Browser } from "playwright-core";
import { build } from "vite";

const ROOT = new URL("../..", import.meta.url).pathname;
const JAX = join(ROOT, "node_modules/@jax-js/jax/dist");
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript" };
/** /isolated/… is served with COOP/COEP, /plain/… without. */
const ISOLATION = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

let out = "";
let server: Server;
let browser: Browser;
let base = "";

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
  out = mkdtempSync(join(tmpdir(), "descent-threads-page-"));
  await build({
    configFile: false,
    root: join(ROOT, "test/web/threadsPage"),
    base: "./",
    logLevel: "error",
    resolve: { alias: { "descent/browser": join(ROOT, "src/browser.ts") } },
    build: { outDir: out, emptyOutDir: true, target: "es2022", rollupOptions: { external: ["@jax-js/jax"] } },
  });
  server = createServer((req, res) => {
    const [, mode, ...rest] = new URL(req.url ?? "/", "http://x").pathname.split("/");
    const path = normalize(rest.join("/")).replace(/^(\.\.[/\\])+/, "");
    const file = path.startsWith("jax/") ? join(JAX, path.slice(4)) : join(out, path || "index.html");
    if (!existsSync(file) || !["isolated", "plain"].includes(mode)) return void res.writeHead(404).end();
    res.writeHead(200, {
      "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
      ...(mode === "isolated" ? ISOLATION : {}),
    });
    res.end(readFileSync(file));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((done) => server?.close(done));
  if (out) rmSync(out, { recursive: true, force: true });
});

async function runPage(path: string): Promise<Result> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(base + path);
  await page.waitForFunction(() => "threadsPage" in window || "threadsPageError" in window, null, {
    timeout: 120_000,
  });
  const { result, error } = await page.evaluate(() => {
    const w = window as unknown as { threadsPage?: Result; threadsPageError?: string };
    return { result: w.threadsPage, error: w.threadsPageError };
  });
  await page.close();
  assert.equal(error, undefined);
  assert.deepEqual(errors, []);
  return result!;
}

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
  assert.equal(result.cores, 2, "this machine has 2 cores");
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
