import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

// COOP/COEP make the page cross-origin isolated: SharedArrayBuffer, hence Descent's Wasm threads.
export const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

const JAX_DIST = fileURLToPath(new URL("../node_modules/@jax-js/jax/dist", import.meta.url));

const IMPORT_MAP = {
  tag: "script",
  attrs: { type: "importmap" },
  children: '{ "imports": { "@jax-js/jax": "./jax/index.js" } }',
};

/**
 * jax-js stays out of the bundle, beside it in jax/ behind an import map, so the engine's hooks can reach
 * jax-js's internal chunk (docs/engine.md §3) and with it the packed GEMM and the thread pool. The build
 * copies jax-js's dist/*.js to dist/jax/; the dev server serves them at /jax/ and imports jax-js from there.
 */
function jaxBesideTheBundle(): Plugin {
  let outDir = "";
  return {
    name: "descent-jax-beside-the-bundle",
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    transformIndexHtml: () => [IMPORT_MAP],
    resolveId(id, _importer, options) {
      // Dev only: the build marks jax-js external (rollupOptions) and keeps the bare name for the map.
      if (id === "@jax-js/jax" && !options.scan && this.environment?.mode === "dev")
        return { id: "/jax/index.js", external: true };
    },
    configureServer(server) {
      server.middlewares.use("/jax/", (req, res, next) => {
        const file = join(JAX_DIST, (req.url ?? "").split("?")[0]);
        if (!file.startsWith(JAX_DIST) || !file.endsWith(".js") || !existsSync(file)) return next();
        res.setHeader("Content-Type", "text/javascript");
        for (const [name, value] of Object.entries(ISOLATION_HEADERS)) res.setHeader(name, value);
        res.end(readFileSync(file));
      });
    },
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
  optimizeDeps: { exclude: ["@jax-js/jax"] },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", rollupOptions: { external: ["@jax-js/jax"] } },
});
