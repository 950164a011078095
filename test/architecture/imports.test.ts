import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

/**
 * The one-way flow of docs/architecture.md, checked on the source: a module may import its own
 * layer or a lower one, never a higher one; nothing outside src/cli/ imports src/cli/; and no
 * module imports itself back through a chain (type-only imports included).
 */
const LAYERS: Record<string, number> = {
  engine: 0,
  linalg: 0,
  io: 1,
  nn: 1,
  "losses.ts": 1,
  data: 1,
  problems: 1,
  optim: 2,
  linesearch: 2,
  curvature: 2,
  train: 3,
  solvers: 3,
  methods: 4,
  minimize: 4,
  benchmark: 4,
  report: 4,
  sweep: 4,
  strategies: 4,
  cli: 5,
  "index.ts": 6,
  "browser.ts": 6,
};

const src = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

/** Relative specifiers of static imports, re-exports and dynamic imports. */
export function importsOf(code: string): string[] {
  const found = [
    ...code.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;'"]*?\bfrom\s*["']([^"']+)["']/g),
    ...code.matchAll(/\bimport\s*\(\s*["']([^"']+)["']\s*\)/g),
    ...code.matchAll(/(?:^|\n)\s*import\s*["']([^"']+)["']/g),
  ];
  return found.map((m) => m[1]).filter((s) => s.startsWith("."));
}

const files = sourceFiles(src);
const graph = new Map<string, string[]>(
  files.map((file) => [
    relative(src, file),
    importsOf(readFileSync(file, "utf8")).map((spec) =>
      relative(src, resolve(dirname(file), spec.replace(/\.js$/, ".ts"))),
    ),
  ]),
);
const folderOf = (path: string) => path.split("/")[0];

describe("the imports of src/", () => {
  it("resolve to files that exist", () => {
    for (const [from, targets] of graph)
      for (const to of targets) assert.ok(graph.has(to), `${from} imports ${to}, which is not a source file`);
  });

  it("every folder has a place in the layer order", () => {
    const unknown = [...new Set([...graph.keys()].map(folderOf))].filter((f) => !(f in LAYERS));
    assert.deepEqual(unknown, [], "add new folders to LAYERS here and to docs/architecture.md");
  });

  it("flow one way: no module imports a higher layer", () => {
    const upward = [...graph].flatMap(([from, targets]) =>
      targets.filter((to) => LAYERS[folderOf(to)] > LAYERS[folderOf(from)]).map((to) => `${from} → ${to}`),
    );
    assert.deepEqual(upward, []);
  });

  it("nothing outside src/cli/ imports src/cli/", () => {
    const intoCli = [...graph].flatMap(([from, targets]) =>
      folderOf(from) === "cli" || from === "index.ts"
        ? []
        : targets.filter((to) => folderOf(to) === "cli").map((to) => `${from} → ${to}`),
    );
    assert.deepEqual(intoCli, []);
    assert.ok(
      !graph.get("index.ts")!.some((to) => folderOf(to) === "cli"),
      "the library entry point must not load the CLI",
    );
  });

  it("the engine and linalg import nothing of ours", () => {
    const out = [...graph].flatMap(([from, targets]) =>
      ["engine", "linalg"].includes(folderOf(from))
        ? targets.filter((to) => folderOf(to) !== folderOf(from)).map((to) => `${from} → ${to}`)
        : [],
    );
    assert.deepEqual(out, []);
  });

  it("have no cycles", () => {
    const state = new Map<string, "open" | "done">();
    const cycles: string[] = [];
    const visit = (node: string, path: string[]) => {
      if (state.get(node) === "done") return;
      if (state.get(node) === "open") {
        cycles.push([...path.slice(path.indexOf(node)), node].join(" → "));
        return;
      }
      state.set(node, "open");
      for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
      state.set(node, "done");
    };
    for (const node of graph.keys()) visit(node, []);
    assert.deepEqual(cycles, []);
  });

  it("are found by the scanner (a check that the walk can fail)", () => {
    assert.deepEqual(
      importsOf(
        'import { a } from "./a.js";\nexport * from "../b/c.js";\nimport type { T } from "./t.js";\nconst m = await ' +
          'import("./d.js");\nimport "./side.js";\nimport x from "zod";',
      ),
      ["./a.js", "../b/c.js", "./t.js", "./d.js", "./side.js"],
    );
    assert.ok(graph.get("cli/main.ts")!.includes("cli/train.ts"));
  });
});
