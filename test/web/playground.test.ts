/**
 * The playground in Debian's Chromium: builds it with Vite, serves web/dist with the COOP/COEP headers,
 * drives the controls and checks the paths, the loss and the curvature against the library in Node.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { after, before, test } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import { curvatureAt, engine, Objective, SURFACES } from "../../src/browser.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const DIST = join(ROOT, "web/dist");
const SHOTS = join(ROOT, "test-results/playground");
const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
};

let server: Server;
let browser: Browser;
let base = "";
const errors: string[] = [];

type Probe = {
  device: string;
  raceMs: number;
  races: number;
  runs: { label: string; path: [number, number][]; losses: number[] }[];
  state: unknown;
};

before(async () => {
  execFileSync(
    join(ROOT, "node_modules/.bin/vite"),
    ["build", "--config", "web/vite.config.ts", "--logLevel", "error"],
    { cwd: ROOT, stdio: "inherit" },
  );
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(
      /^(\.\.[/\\])+/,
      "",
    );
    const file = join(DIST, path.endsWith("/") ? `${path}index.html` : path);
    if (!file.startsWith(DIST) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, {
      "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
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
  mkdirSync(SHOTS, { recursive: true });
  await engine.startEngine();
});

after(async () => {
  await browser?.close();
  await new Promise((done) => server?.close(done));
});

async function open(query: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("response", (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
  await page.goto(base + query);
  await page.waitForSelector("body[data-ready=true]", { timeout: 120_000 });
  return page;
}

const probe = (page: Page) => page.evaluate(() => (window as unknown as { playground: Probe }).playground);

test("race: 4 optimizers for 500 steps, sliders and the start point move the paths, the loss falls", async () => {
  const page = await open(
    "?surface=ill-conditioned&methods=book.sgd:0.02,book.momentum:0.02,book.adam:0.1,torch.RMSprop:0.01" +
      "&steps=500&x=-4.2&y=-1.8&dtype=float64&seed=0",
  );
  const first = await probe(page);
  console.log(
    `race of 4 optimizers × 500 steps in Chromium (float64, cpu device): ${first.raceMs.toFixed(0)} ms; default ` +
      `device ${first.device}`,
  );
  // Headless Chromium without a GPU offers no WebGPU adapter: the engine must have fallen back to Wasm.
  assert.equal(first.device, "wasm");
  assert.equal(first.runs.length, 4);
  for (const run of first.runs) {
    assert.equal(run.path.length, 501, run.label);
    assert.ok(run.losses.at(-1)! < run.losses[0] * 1e-2, `${run.label} loss ${run.losses[0]} → ${run.losses.at(-1)}`);
  }
  await page.screenshot({ path: join(SHOTS, "race-1280.png"), fullPage: true });
  // float32 timing too (Wasm device), then back.
  await page.selectOption("#dtype", "float32");
  await page.waitForFunction(() => (window as unknown as { playground: Probe }).playground.races === 2);
  console.log(
    `race of 4 optimizers × 500 steps in Chromium (float32, wasm device): ${(await probe(page)).raceMs.toFixed(0)} ms`,
  );
  await page.selectOption("#dtype", "float64");
  await page.waitForFunction(() => (window as unknown as { playground: Probe }).playground.races === 3);

  // The learning-rate slider of book.sgd (keyboard: ArrowLeft = one notch, 10^-0.01, smaller) changes its path only.
  const slider = page.locator('li[data-method="book.sgd"] input.lr');
  await slider.focus();
  await page.keyboard.press("ArrowLeft");
  await page.waitForFunction(() => (window as unknown as { playground: Probe }).playground.races === 4);
  const slower = await probe(page);
  assert.notDeepEqual(slower.runs[0].path.at(-1), first.runs[0].path.at(-1));
  assert.deepEqual(slower.runs[2].path, first.runs[2].path);
  assert.match(decodeURIComponent(page.url()), /book\.sgd:0\.0195,/);

  // book.momentum's α slider (one notch down: 0.9 → 0.899) changes its path only; the URL carries it.
  await page.locator('li[data-method="book.momentum"] input.momentum').focus();
  await page.keyboard.press("ArrowLeft");
  await page.waitForFunction(() => (window as unknown as { playground: Probe }).playground.races === 5);
  const lessMomentum = await probe(page);
  assert.notDeepEqual(lessMomentum.runs[1].path.at(-1), slower.runs[1].path.at(-1));
  assert.deepEqual(lessMomentum.runs[0].path, slower.runs[0].path);
  assert.match(decodeURIComponent(page.url()), /book\.momentum:0\.02:0\.899,/);

  // Dragging the start handle moves every path's first point.
  const handle = page.locator("circle.start-handle");
  const box = (await handle.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + 80, box.y - 60, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => (window as unknown as { playground: Probe }).playground.races === 6);
  const dragged = await probe(page);
  assert.notDeepEqual(dragged.runs[0].path[0], slower.runs[0].path[0]);
  await page.close();
});

test(
  "curvature panel: the exact 2×2 eigenvalues, gᵀg and gᵀHg equal the library's in Node; saddle " + "direction",
  async () => {
    const page = await open("?surface=saddle&methods=book.sgd:0.01&steps=10&x=-2&y=0.05&dtype=float64&seed=0");
    const state = await probe(page);
    const point = state.runs[0].path.at(-1)!;
    const exact = (name: string) => page.locator(`#curvature dd[data-name="${name}"]`).getAttribute("data-exact");
    const eig = (await exact("eigenvalues"))!.split(",").map(Number);
    const precision = engine.precisionOf("float64");
    const problem = SURFACES.saddle.problem(precision);
    const objective = new Objective(problem, precision);
    const node = curvatureAt(objective, point);
    objective.dispose();
    problem.dispose();
    assert.ok(
      Math.abs(eig[0] - node.bottom[0]) < 1e-12 && Math.abs(eig[1] - node.top[0]) < 1e-12,
      `${eig} vs ${node.bottom[0]}, ${node.top[0]}`,
    );
    assert.deepEqual([eig[0], eig[1]], [-2, 2]);
    // gᵀHg = 2(gₓ² − g_y²) > 0 here and ε is small: no uphill step (8.2.1).
    assert.match((await page.locator('#curvature dd[data-name="8.2.1 flag"]').textContent())!, /^no \(ε = 0\.01\)$/);
    assert.equal(Number(await exact("gᵀg")), node.gTg);
    assert.equal(Number(await exact("gᵀHg")), node.gHg);
    assert.match(
      (await page.locator('#curvature dd[data-name="saddle direction"]').textContent())!,
      /^\(0\.00000, 1\.00000\)$/,
    );
    await page.screenshot({ path: join(SHOTS, "curvature-saddle.png"), fullPage: true });
    await page.close();
  },
);

test("a shared URL reproduces the same paths bit for bit, at phone width too", async () => {
  const query =
    "?surface=rosenbrock&methods=book.nesterov:0.0007:0.95,torch.Adam:0.03,bfgs" +
    "&steps=150&x=-1.5&y=2.25&dtype=float64&seed=3";
  const a = await open(query);
  const sa = await probe(a);
  const shared = a.url();
  await a.close();
  const b = await open(shared.slice(base.length), { width: 390, height: 844 });
  const sb = await probe(b);
  assert.deepEqual(sb.state, sa.state);
  assert.deepEqual(sb.runs, sa.runs);
  assert.deepEqual(sa.runs[0].path[0], [-1.5, 2.25]);
  await b.screenshot({ path: join(SHOTS, "phone-390.png"), fullPage: true });
  await b.close();
  assert.deepEqual(errors, []);
});
