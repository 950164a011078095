import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Every fenced block of README.md and docs/*.md is checked, so none can rot:
 * - ```ts blocks run (tsx), with "descent" mapped to src/index.ts;
 * - ```json blocks parse;
 * - any other block that invokes `descent <command>` has each command and each --flag checked against
 *   `descent <command> --help` (running them would mean full trainings).
 * A block right after `<!-- not-run: reason -->` is skipped, with its reason in the test name.
 */
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const INDEX = join(ROOT, "src/index.ts");
const BIN = join(ROOT, "bin/descent.js");
const work = mkdtempSync(join(tmpdir(), "descent-snippets-"));

interface Block {
  file: string;
  line: number;
  lang: string;
  code: string;
  skip?: string;
}

function blocksOf(file: string): Block[] {
  const lines = readFileSync(join(ROOT, file), "utf8").split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`${file}:${i + 1}: unclosed code block`);
    const skip = /^<!-- not-run: (.+) -->$/.exec(lines[i - 1]?.trim() ?? "")?.[1];
    blocks.push({ file, line: i + 1, lang: open[1], code: lines.slice(i + 1, end).join("\n"), skip });
    i = end;
  }
  return blocks;
}

const FILES = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
const blocks = FILES.flatMap(blocksOf);

const helpCache = new Map<string, string>();
function helpOf(command: string): string {
  if (!helpCache.has(command)) {
    const r = spawnSync(process.execPath, [BIN, command, "--help"], { encoding: "utf8" });
    assert.equal(r.status, 0, `descent ${command} --help failed: ${r.stderr}`);
    helpCache.set(command, r.stdout);
  }
  return helpCache.get(command)!;
}

/** `descent <command> --flags…` invocations of a shell block (comments dropped, continuations joined). */
function invocations(code: string): { command: string; flags: string[] }[] {
  const joined = code.replace(/\\\n/g, " ");
  return joined.split("\n").flatMap((line) => {
    const text = line.replace(/\s#\s.*$/, "");
    return [...text.matchAll(/(?:^|\s|&&\s*)(?:npx\s+)?descent\s+([a-z-]+)([^&|;]*)/g)].map((m) => ({
      command: m[1],
      flags: [...m[2].matchAll(/(?:^|[\s[])(--[a-z][a-z0-9-]*)/g)].map((f) => f[1]),
    }));
  });
}

describe("the snippets of README.md and docs/", { timeout: 600_000 }, () => {
  after(() => rmSync(work, { recursive: true, force: true }));

  it("finds snippets to check, and the flag check can fail", () => {
    assert.ok(blocks.filter((b) => b.lang === "ts").length >= 5);
    const [call] = invocations("npm install && npx descent train --epochs 2 \\\n  --no-such-flag   # --not-this-one");
    assert.deepEqual(call, { command: "train", flags: ["--epochs", "--no-such-flag"] });
    assert.ok(!/--no-such-flag(?![a-z0-9-])/.test(helpOf("train")) && /--epochs(?![a-z0-9-])/.test(helpOf("train")));
  });

  for (const block of blocks) {
    const where = `${block.file}:${block.line}`;
    if (block.skip) {
      it(`${where} (${block.lang || "text"}) is not run: ${block.skip}`, { skip: block.skip }, () => {});
      continue;
    }
    if (block.lang === "ts") {
      it(`${where} runs`, () => {
        const file = join(work, `snippet-${block.file.replace(/\W/g, "_")}-${block.line}.mts`);
        writeFileSync(file, block.code.replace(/from "descent"/g, `from ${JSON.stringify(INDEX)}`));
        const r = spawnSync(process.execPath, ["--import", "tsx", file], { cwd: ROOT, encoding: "utf8" });
        assert.equal(r.status, 0, `${where} failed:\n${r.stderr}`);
      });
    } else if (block.lang === "json") {
      it(`${where} is valid JSON`, () => void JSON.parse(block.code));
    } else {
      const calls = invocations(block.code);
      if (!calls.length) continue;
      it(`${where}: every descent command and flag exists`, () => {
        for (const { command, flags } of calls) {
          const help = helpOf(command);
          for (const flag of flags)
            if (flag !== "--help")
              assert.ok(new RegExp(`${flag}(?![a-z0-9-])`).test(help), `${where}: descent ${command} has no ${flag}`);
        }
      });
    }
  }
});
