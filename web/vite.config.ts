import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// COOP/COEP make the page cross-origin isolated: SharedArrayBuffer, hence jax-js's Wasm threads.
export const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  // The page sees Descent only through its public browser entry, here straight from the sources.
  resolve: { alias: { "descent/browser": fileURLToPath(new URL("../src/browser.ts", import.meta.url)) } },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
});
