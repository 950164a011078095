/**
 * A page folder built with Vite, jax-js left unbundled beside it behind an import map (as docs/engine.md
 * §3 asks of a page), served at /isolated/… with the COOP/COEP headers and at /plain/… without, and
 * driven in Debian's Chromium. Used by test/web/threads.test.ts and bench/browserThreads.ts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import type { Browser } from "playwright-core";
import { launchChromium } from "./chromium.js";
import { build } from "vite";

const ROOT = new URL("../..", import.meta.url).pathname;
const JAX = join(ROOT, "node_modules/@jax-js/jax/dist");
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript" };
const ISOLATION = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

export interface PageServer {
  browser: Browser;
  /** Loads `path` ("isolated/index.html?…" or "plain/…") and returns what the page leaves in window[key]. */
  run<T>(path: string, key: string, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

/** Builds `folder` (relative to the repository), serves it and starts Chromium. */
export async function servePage(folder: string): Promise<PageServer> {
  const out = mkdtempSync(join(tmpdir(), "descent-page-"));
  await build({
    configFile: false,
    root: join(ROOT, folder),
    base: "./",
    logLevel: "error",
    resolve: { alias: { "descent/browser": join(ROOT, "src/browser.ts") } },
    build: { outDir: out, emptyOutDir: true, target: "es2022", rollupOptions: { external: ["@jax-js/jax"] } },
  });
  const server = createServer((req, res) => {
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
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const browser = await launchChromium();
  return {
    browser,
    async run<T>(path: string, key: string, timeoutMs = 120_000): Promise<T> {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      try {
        await page.goto(base + path);
        const failed = `${key}Error`;
        await page.waitForFunction(([k, f]) => k in window || f in window, [key, failed], { timeout: timeoutMs });
        const { result, error } = await page.evaluate(
          ([k, f]) => ({ result: (window as never)[k] as unknown, error: (window as never)[f] as unknown }),
          [key, failed],
        );
        if (error !== undefined) throw new Error(`${path}: ${String(error)}`);
        if (errors.length > 0) throw new Error(`${path}: ${errors.join("\n")}`);
        return result as T;
      } finally {
        await page.close();
      }
    },
    async close() {
      await browser.close();
      await new Promise((done) => server.close(done));
      rmSync(out, { recursive: true, force: true });
    },
  };
}
