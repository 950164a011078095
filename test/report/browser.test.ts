/**
 * Visual check: every figure and report page opens in headless Chromium (Debian's, driven by
 * playwright-core) with no console error, each chart has data marks, and a screenshot lands in
 * test-results/ for a person to look at.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser } from "playwright-core";
import { CHROMIUM, launchChromium } from "../web/chromium.js";
import { descent } from "../cli/run.js";

const SHOTS = resolve("test-results");
// CI installs chromium (.ci/run); elsewhere the check is skipped when it is missing.
const skip = !existsSync(CHROMIUM) && !process.env.CI ? `no ${CHROMIUM}` : false;

/** Pages to check: [screenshot name, file]. */
function makePages(): [string, string][] {
  const work = mkdtempSync(join(tmpdir(), "descent-browser-"));
  const run = (args: string[]) => {
    const r = descent(args);
    assert.equal(r.code, 0, `descent ${args.join(" ")}: ${r.stderr}`);
  };
  run(["train", "--dataset", "blobs", "--epochs", "3", "--out", join(work, "train"), "--json"]);
  run(["train", "--dataset", "regression", "--epochs", "2", "--out", join(work, "regression"), "--json"]);
  run([
    "diagnose",
    "--dataset",
    "blobs",
    "--epochs",
    "2",
    "--batch-size",
    "100",
    "--monitor-every",
    "4",
    "--spectrum-at",
    "1,18",
    "--lanczos-steps",
    "8",
    "--noise-batch-sizes",
    "8,64",
    "--probe-size",
    "128",
    "--out",
    join(work, "diagnose"),
    "--json",
  ]);
  run(["figures", "--quick", "--out", join(work, "figures")]);
  run([
    "landscape",
    "--problem",
    "rosenbrock",
    "--methods",
    "book.momentum,lbfgs",
    "--config",
    '{"book.momentum": {"lr": 0.001, "alpha": 0.9}}',
    "--steps",
    "40",
    "--out",
    join(work, "landscape.html"),
  ]);
  run([
    "landscape",
    "--model",
    join(work, "train"),
    "--grid",
    "9",
    "--examples",
    "200",
    "--trajectory",
    "--out",
    join(work, "network.html"),
  ]);
  const figures = readdirSync(join(work, "figures"))
    .filter((f) => f.endsWith(".svg"))
    .map((f): [string, string] => [`figure-${f.replace(/\.svg$/, "")}`, join(work, "figures", f)]);
  return [
    ["train-report", join(work, "train", "report.html")],
    ["regression-report", join(work, "regression", "report.html")],
    ["diagnose-report", join(work, "diagnose", "report.html")],
    ["figures-index", join(work, "figures", "index.html")],
    ["landscape", join(work, "landscape.html")],
    ["network-landscape", join(work, "network.html")],
    ...figures,
  ];
}

describe("reports and figures in headless Chromium", { skip }, () => {
  let browser: Browser;
  let pages: [string, string][];
  before(async () => {
    pages = makePages();
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => browser?.close());

  it("renders every page without console errors, with marks in every chart", async () => {
    assert.ok(pages.length >= 18, `only ${pages.length} pages`);
    for (const [name, file] of pages) {
      const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
      const errors: string[] = [];
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      page.on("pageerror", (e) => errors.push(e.message));
      // Offline: any request leaving the page (a CDN script, a font) is an error.
      await page.route(
        /^(?!file:|data:|about:)/,
        (route) => (errors.push(`network request ${route.request().url()}`), route.abort()),
      );
      const text = readFileSync(file, "utf8");
      // An SVG file is wrapped in a page: Chromium's screenshot of a bare SVG document hangs.
      await page.setContent(
        file.endsWith(".svg")
          ? `<!doctype html><html><body style="margin:0;background:#fff">${text}</body></html>`
          : text,
      );
      await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
      const marksPerChart = await page.$$eval("svg", (svgs) =>
        svgs.map((svg) => svg.querySelectorAll("g.role-mark path, g.role-mark text").length),
      );
      await page.close();
      assert.deepEqual(errors, [], `${name}: console errors`);
      assert.ok(marksPerChart.length > 0, `${name}: no chart`);
      assert.ok(
        marksPerChart.every((n) => n > 0),
        `${name}: a chart without marks (${marksPerChart.join(", ")})`,
      );
    }
  });
});
