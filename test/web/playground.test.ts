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
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "./chromium.js";
import {
  curvatureAt,
  eigenComponentErrors,
  engine,
  mlp,
  momentumPhaseDiagram,
  momentumRate,
  networkCurvature,
  Objective,
  SURFACES,
  twoSpirals,
} from "../../src/browser.js";
import { symmetricEigen } from "../../src/linalg/matrix.js";

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
  browser = await launchChromium();
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
  await page.selectOption("#dtype", "float64-fast");
  await page.waitForFunction(() => (window as unknown as { playground: Probe }).playground.races === 3);
  const fast = await probe(page);
  console.log(`race of 4 optimizers × 500 steps in Chromium (float64-fast, wasm device): ${fast.raceMs.toFixed(0)} ms`);
  // Rotated quadratic: only + and ×, which Wasm computes exactly in float64, so the fast paths equal the exact ones.
  assert.deepEqual(fast.runs, first.runs);
  await page.selectOption("#dtype", "float64");
  await page.waitForFunction(() => (window as unknown as { playground: Probe }).playground.races === 4);

  // The learning-rate slider of book.sgd (keyboard: ArrowLeft = one notch, 10^-0.01, smaller) changes its path only.
  const slider = page.locator('li[data-method="book.sgd"] input.lr');
  await slider.focus();
  await page.keyboard.press("ArrowLeft");
  await page.waitForFunction(() => (window as unknown as { playground: Probe }).playground.races === 5);
  const slower = await probe(page);
  assert.notDeepEqual(slower.runs[0].path.at(-1), first.runs[0].path.at(-1));
  assert.deepEqual(slower.runs[2].path, first.runs[2].path);
  assert.match(decodeURIComponent(page.url()), /book\.sgd:0\.0195,/);

  // book.momentum's α slider (one notch down: 0.9 → 0.899) changes its path only; the URL carries it.
  await page.locator('li[data-method="book.momentum"] input.momentum').focus();
  await page.keyboard.press("ArrowLeft");
  await page.waitForFunction(() => (window as unknown as { playground: Probe }).playground.races === 6);
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
  await page.waitForFunction(() => (window as unknown as { playground: Probe }).playground.races === 7);
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

test("solver settings: L-BFGS memory, Newton-CG's trust region and radius change the paths, in the URL", async () => {
  const page = await open(
    "?surface=rosenbrock&methods=lbfgs,newton-cg&steps=100&x=-1.2&y=1&dtype=float64&seed=0&tsteps=5",
  );
  const races = async () => (await probe(page)).races;
  const after = (n: number) =>
    page.waitForFunction((k) => (window as unknown as { playground: Probe }).playground.races === k, n);
  const first = await probe(page);
  // Memory 10 → 1 (Home key): L-BFGS keeps one pair; its path changes, Newton-CG's does not.
  let n = await races();
  await page.locator('li[data-method="lbfgs"] input.knob[data-key="memory"]').focus();
  await page.keyboard.press("Home");
  await after(n + 1);
  const memory1 = await probe(page);
  assert.notDeepEqual(memory1.runs[0].path, first.runs[0].path);
  assert.deepEqual(memory1.runs[1].path, first.runs[1].path);
  assert.match(decodeURIComponent(page.url()), /methods=lbfgs:memory=1,newton-cg/);
  // Newton-CG with a trust region of radius 1, then 10^-0.05 smaller: its path changes each time.
  n = await races();
  await page.selectOption('li[data-method="newton-cg"] select.knob[data-key="globalization"]', "trust-region");
  await after(n + 1);
  const trust = await probe(page);
  assert.notDeepEqual(trust.runs[1].path, memory1.runs[1].path);
  n = await races();
  await page.locator('li[data-method="newton-cg"] input.knob[data-key="radius"]').focus();
  await page.keyboard.press("ArrowLeft");
  await after(n + 1);
  const smaller = await probe(page);
  assert.notDeepEqual(smaller.runs[1].path, trust.runs[1].path);
  assert.match(decodeURIComponent(page.url()), /newton-cg:globalization=trust-region:radius=0\.891/);
  // The URL alone reproduces the settings and the paths.
  const again = await open(page.url().slice(base.length));
  assert.deepEqual((await probe(again)).runs, smaller.runs);
  await again.close();
  await page.close();
});

test("Distill views: eigen-component errors and the (ε, α) phase diagram equal the library's in Node", async () => {
  const page = await open(
    "?surface=ill-conditioned&methods=book.momentum:0.02:0.5&steps=100&x=-4.2&y=-1.8&dtype=float64&seed=0" +
      "&tsteps=5&tdtype=float32",
  );
  type Distill = { quadratic: boolean; eigenvalues: number[]; components: number[][]; phase: number[]; rate: number };
  const view = () =>
    page.evaluate(() => {
      const p = (window as unknown as { playground: { distill: Distill; runs: { path: [number, number][] }[] } })
        .playground;
      return { ...p.distill, path: p.runs[0].path };
    });
  const d = await view();
  assert.equal(d.quadratic, true);
  assert.equal(await page.locator("#distill").isVisible(), true);
  // Node: the Hessian's eigenpairs from the library, the path's components, the rate grid over the same axes.
  const precision = engine.precisionOf("float64");
  const problem = SURFACES["ill-conditioned"].problem(precision);
  const objective = new Objective(problem, precision);
  const { values, vectors } = symmetricEigen(objective.hessian([0, 0]), 2);
  objective.dispose();
  problem.dispose();
  const close = (a: number, b: number, scale = 1) => Math.abs(a - b) <= 1e-12 * Math.max(scale, Math.abs(b));
  values.forEach((v, i) => assert.ok(close(d.eigenvalues[i], v), `λ ${d.eigenvalues[i]} vs ${v}`));
  const components = eigenComponentErrors(
    d.path,
    [0, 0],
    [0, 1].map((i) => [vectors[i], vectors[2 + i]]),
  );
  components.forEach((row, i) =>
    row.forEach((e, k) => assert.ok(close(d.components[i][k], e, 1e-3), `component ${i} step ${k}`)),
  );
  const lrs = Array.from({ length: 60 }, (_, i) => ((i + 1) / 60) * (4 / values[1]));
  const momenta = Array.from({ length: 60 }, (_, j) => j / 60);
  const grid = momentumPhaseDiagram(values, lrs, momenta);
  assert.equal(d.phase.length, 3600);
  grid.forEach((r, k) => assert.ok(close(d.phase[k], r), `cell ${k}: ${d.phase[k]} vs ${r}`));
  assert.ok(close(d.rate, momentumRate(0.02, 0.5, values)));
  assert.equal(Number(await page.locator('#phase-numbers [data-name="rate"]').getAttribute("data-exact")), d.rate);
  console.log(
    `Distill views: λ = ${d.eigenvalues}; book.momentum ε 0.02 α 0.5 rate ${d.rate}; grid best ${Math.min(...d.phase)}`,
  );
  await page.locator("#race").screenshot({ path: join(SHOTS, "distill-quadratic.png") });
  // Rosenbrock is not a quadratic: the views are hidden.
  const races = (await probe(page)).races;
  await page.selectOption("#surface", "rosenbrock");
  await page.waitForFunction((n) => (window as unknown as { playground: Probe }).playground.races === n + 1, races);
  assert.equal(await page.locator("#distill").isVisible(), false);
  await page.close();
});

type TrainProbe = {
  runs: number;
  done: boolean;
  step: number;
  losses: number[];
  error: string;
  curvature: { loss: number; top: { value: number }[]; gTg: number; gHg: number; illConditioned: boolean } | null;
  params: number[];
  modelState: number[];
};
const trainProbe = (page: Page) =>
  page.evaluate(() => (window as unknown as { playground: { train: TrainProbe } }).playground.train);
const trained = (page: Page, runs: number) =>
  page.waitForFunction(
    (n) => {
      const t = (window as unknown as { playground: { train: TrainProbe } }).playground.train;
      return t.runs === n && t.done;
    },
    runs,
    { timeout: 120_000 },
  );
const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
/** Panel 1 kept small so that these tests time panel 2. */
const SMALL_RACE = "?surface=ill-conditioned&methods=book.sgd:0.02&steps=5&x=-4.2&y=-1.8&dtype=float32&seed=0";

test("train: the loss falls, a control retrains, the URL replays it, a huge rate stops, naming the cause", async () => {
  const page = await open(
    `${SMALL_RACE}&tdata=xor&tseed=1&topt=book.adam&tlr=0.02&tsched=cosine&tbatch=32&twidth=8&tdepth=2` +
      "&tsteps=150&tdtype=float32",
  );
  await trained(page, 1);
  const xor = await trainProbe(page);
  assert.equal(xor.losses.length, 150);
  assert.equal(xor.error, "");
  assert.ok(
    mean(xor.losses.slice(-10)) < 0.5 * mean(xor.losses.slice(0, 10)),
    `xor loss ${xor.losses[0]} → ${xor.losses.at(-1)}`,
  );
  assert.match((await page.locator("#train-status").textContent())!, /^step 150 of 150, minibatch loss /);
  assert.equal(xor.curvature!.top.length, 3);
  await page.locator("#train").screenshot({ path: join(SHOTS, "train-xor.png") });

  // The dataset select (keyboard) retrains on circles; the URL follows.
  await page.locator("#t-dataset").focus();
  await page.selectOption("#t-dataset", "circles");
  await trained(page, 2);
  const circles = await trainProbe(page);
  assert.notDeepEqual(circles.losses, xor.losses);
  assert.match(page.url(), /tdata=circles/);

  // The same URL in a fresh page trains to the same losses and parameters, bit for bit.
  const again = await open(page.url().slice(base.length));
  await trained(again, 1);
  const replay = await trainProbe(again);
  assert.deepEqual(replay.losses, circles.losses);
  assert.deepEqual(replay.params, circles.params);
  await again.close();

  // Plain SGD at rate 1e6 blows up: the run stops with the Trainer's named cause, and no NaN is kept.
  await page.selectOption("#t-optimizer", "book.sgd");
  await trained(page, 3);
  await page.fill("#t-lr", "1000000");
  await page.locator("#t-lr").press("Enter");
  await page.locator("#t-lr").blur();
  await trained(page, 4);
  const blown = await trainProbe(page);
  assert.match(blown.error, /^(non-finite .+ at step \d+: |loss diverged at step \d+: )/);
  assert.ok(blown.losses.every(Number.isFinite) && blown.step < 150, `stopped at step ${blown.step}`);
  assert.equal(await page.locator("#train-error").textContent(), `stopped: ${blown.error}`);
  console.log(`panel 2 divergence at lr 1e6: ${blown.error}`);
  await page.locator("#train").screenshot({ path: join(SHOTS, "train-diverged.png") });
  await page.close();
});

test("train curvature (float64): the Lanczos top eigenvalues, gᵀg and gᵀHg equal the library's in Node", async () => {
  const settings = { width: 6, depth: 1, seed: 4, lr: 0.05 };
  const page = await open(
    `${SMALL_RACE}&tdata=spirals&tseed=${settings.seed}&topt=book.momentum&tlr=${settings.lr}&tbatch=50` +
      `&twidth=${settings.width}&tdepth=${settings.depth}&tbn=0&tinit=glorot&tact=tanh&tsteps=30&tdtype=float64`,
  );
  await trained(page, 1);
  const run = await trainProbe(page);
  const precision = engine.precisionOf("float64");
  const model = mlp(2, { width: settings.width, depth: settings.depth, init: "glorot", activation: "tanh" });
  const template = model.init(engine.random.randomKey(0), [2], precision);
  const params = engine.unflattenTree(template.params, run.params, precision);
  const modelState = engine.unflattenTree(template.state, run.modelState, precision);
  // The playground draws 300 examples of each dataset.
  const data = twoSpirals({ count: 300, key: settings.seed });
  const node = networkCurvature(model, params, modelState, data, precision, {
    lr: settings.lr,
    top: 3,
    seed: settings.seed,
  });
  for (const t of [params, modelState, template.params, template.state]) engine.disposeTree(t);
  const page3 = run.curvature!;
  for (let k = 0; k < 3; k++) {
    const [a, b] = [page3.top[k].value, node.top[k].value];
    assert.ok(Math.abs(a - b) <= 1e-10 * Math.abs(node.top[0].value), `λ${k}: ${a} in Chromium, ${b} in Node`);
  }
  assert.ok(Math.abs(page3.gTg - node.gTg) <= 1e-10 * node.gTg);
  assert.ok(Math.abs(page3.gHg - node.gHg) <= 1e-10 * Math.abs(node.gHg));
  assert.equal(page3.illConditioned, node.illConditioned);
  const shown = await page
    .locator('#net-curvature dd[data-name="top eigenvalues (Lanczos)"]')
    .getAttribute("data-exact");
  assert.deepEqual(
    shown!.split(",").map(Number),
    page3.top.map((t) => t.value),
  );
  console.log(`panel 3 at panel 2's parameters: λ = ${shown}, gᵀg ${page3.gTg}, gᵀHg ${page3.gHg}`);
  await page.locator("#curvature-panel").screenshot({ path: join(SHOTS, "train-curvature.png") });
  await page.close();
});

test("the header shows the Wasm thread count: ?threads=2 runs the pool (jax-js beside the bundle)", async () => {
  const page = await open("?surface=ill-conditioned&methods=book.sgd:0.02&steps=20&threads=2");
  const threads = await page.waitForFunction(
    () => (window as unknown as { playground: { threads?: { threads: number; reason: string } } }).playground.threads,
  );
  const status = (await threads.jsonValue())!;
  assert.deepEqual([status.threads, status.reason], [2, "setThreads(2)"]);
  assert.equal(await page.locator("#threads").textContent(), "2 Wasm threads (setThreads(2))");
  assert.match(page.url(), /&threads=2$/);
  await page.close();
});

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
