import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/descent.js", import.meta.url));

/** Runs the built `descent` binary (npm test builds it first) and captures its output. */
export function descent(args: string[], opts: { cwd?: string } = {}) {
  const run = spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    cwd: opts.cwd,
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}
