#!/usr/bin/env node
// Fails (exit 1) on any line longer than 120 characters in the project's code, printing file:line for each.
// Biome formats code to 120 but cannot break long strings or comments, so this check covers what it leaves.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const MAX = 120;
const ROOTS = ["src/", "test/", "bench/", "scripts/", "web/"];
/** Data and generated files: written by tools, not read as code. */
const SKIPPED = [/^test\/fixtures\//, /^bench\/results\//, /\.generated\.ts$/, /(^|\/)package-lock\.json$/];
const CODE = /\.(ts|mts|cts|js|mjs|cjs|tsx|py|sh|css|html)$/;

const tracked = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", ...ROOTS], {
  encoding: "utf8",
})
  .split("\n")
  .filter((f) => f && CODE.test(f) && !SKIPPED.some((re) => re.test(f)));

let offenders = 0;
for (const file of tracked) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    continue; // listed by git but deleted in the working tree
  }
  text.split("\n").forEach((line, i) => {
    const width = [...line].length; // characters (code points), not UTF-16 units or bytes
    if (width > MAX) {
      offenders++;
      console.log(`${file}:${i + 1}: ${width} characters`);
    }
  });
}
if (offenders) {
  console.error(`${offenders} line${offenders === 1 ? "" : "s"} longer than ${MAX} characters`);
  process.exit(1);
}
