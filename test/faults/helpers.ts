import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { descent } from "../cli/run.js";

export { descent };

export const tmp = (name: string) => mkdtempSync(join(tmpdir(), `descent-fault-${name}-`));

/** A tiny, fast run: 900 training examples of 3 blobs, 9 steps per epoch, an 8-unit MLP. */
export const TINY = ["--dataset", "blobs", "--width", "8", "--depth", "1", "--batch-size", "100", "--epochs", "2"];

/** Every file under a folder with its bytes, to check that a failed run changed nothing. */
export function snapshot(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(path.slice(dir.length), readFileSync(path));
    }
  };
  walk(dir);
  return out;
}

/** A finished tiny run in a fresh folder (the "previous run" a fault must not touch). */
export function finishedRun(name: string, extra: string[] = []): string {
  const dir = tmp(name);
  const run = descent(["train", ...TINY, "--out", dir, "--json", ...extra]);
  assert.equal(run.code, 0, run.stderr);
  return dir;
}

/** Exit code 2, nothing on stdout, one line on stderr matching `pattern`. */
export function assertFault(run: { code: number | null; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.equal(run.code, 2, `exit ${run.code}: ${run.stderr}`);
  assert.equal(run.stdout, "");
  const lines = run.stderr.split("\n").filter((l) => l.trim() && !/^(training|diagnose|epoch \d+\/\d+):? /.test(l));
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0], /^descent: /);
  assert.match(lines[0], pattern);
}
