import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

// COOP/COEP make the page cross-origin isolated: SharedArrayBuffer, hence Descent's Wasm threads.
export const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

const JAX_DIST = fileURLToPath(new URL("../node_modules/@jax-js/jax/dist", import.meta.url));

/**
 * The build leaves jax-js unbundled in dist/jax/ behind an import map, so the engine's GEMM hook can
 * reach jax-js's internal chunk (docs/engine.md §3) and with it the packed GEMM and the thread pool.
 * The dev server bundles jax-js as usual: there the hook stays off and says why.
 */
function jaxBesideTheBundle(): Plugin {
  let outDir = "";
  return {
    name: "descent-jax-beside-the-bundle",
    apply: "build",
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    transformIndexHtml: () => [
      { tag: "script", attrs: { type: "importmap" }, children: '{ "imports": { "@jax-js/jax": "./jax/index.js" } }' },
    ],
    writeBundle() {
      mkdirSync(join(outDir, "jax"), { recursive: true });
      for (const name of readdirSync(JAX_DIST).filter((file) => file.endsWith(".js")))
        copyFileSync(join(JAX_DIST, name), join(outDir, "jax", name));
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  // The page sees Descent only through its public browser entry, here straight from the sources.
  resolve: { alias: { "descent/browser": fileURLToPath(new URL("../src/browser.ts", import.meta.url)) } },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  plugins: [jaxBesideTheBundle()],
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", rollupOptions: { external: ["@jax-js/jax"] } },
});
