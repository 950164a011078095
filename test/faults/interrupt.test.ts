import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { descent, tmp } from "./helpers.js";

const BIN = fileURLToPath(new URL("../../bin/descent.js", import.meta.url));
// Long enough (3 600 steps) that the signal arrives mid-run.
const LONG = ["train", "--dataset", "blobs", "--width", "8", "--depth", "1", "--batch-size", "100", "--epochs", "400"];

/**
 * Runs `command` until `ready` matches its output, then `interrupt`s it; resolves with the exit code and all output.
 */
function interruptWhen(
  command: string,
  args: string[],
  ready: RegExp,
  interrupt: (child: ReturnType<typeof spawn>) => void,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } });
    let output = "";
    let sent = false;
    const onData = (data: Buffer) => {
      output += data.toString();
      if (!sent && ready.test(output)) {
        sent = true;
        interrupt(child);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

/** The step count in "interrupted by SIGINT after N steps", and a resume that continues from it. */
function assertResumable(output: string, dir: string): void {
  const said = /interrupted by SIG(?:INT|TERM) after (\d+) steps; the checkpoint is in .*; continue with: (.*)/.exec(
    output,
  );
  assert.match(said?.[2] ?? "", /^descent train --out .* --resume/, output);
  const steps = Number(said?.[1]);
  assert.ok(steps > 0, output);
  assert.ok(existsSync(join(dir, "unfinished", "checkpoint.safetensors")));
  const resumed = descent(["train", "--out", dir, "--resume", "--stop-after-steps", String(steps + 2), "--json"]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(JSON.parse(resumed.stdout).steps, steps + 2);
  assert.match(resumed.stderr, new RegExp(`resuming at step ${steps}\\b`));
}

describe("signals: the terminal is restored, a checkpoint is written at the current step, exit 130", () => {
  it("Ctrl-C under a pseudo-terminal (script)", {
    skip: !existsSync("/usr/bin/script") && "needs /usr/bin/script",
  }, async () => {
    const dir = tmp("ctrlc");
    const command = [process.execPath, BIN, ...LONG, "--out", dir].map((a) => `'${a}'`).join(" ");
    // The bar hides the cursor and turns line wrap off; ^C through the pty's line discipline sends SIGINT.
    const { code, output } = await interruptWhen(
      "/usr/bin/script",
      ["-qfec", command, "/dev/null"],
      /step \d+\/3600/,
      (child) => setTimeout(() => child.stdin!.write("\x03"), 500),
    );
    assert.equal(code, 130, output);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal escape codes are what this test checks
    assert.match(output, /\x1b\[\?25l/, "the bar hid the cursor");
    const restore = output.lastIndexOf("\x1b[?25h");
    assert.ok(restore > output.lastIndexOf("\x1b[?25l"), "the cursor is shown again after the last hide");
    assert.ok(output.lastIndexOf("\x1b[?7h") > output.lastIndexOf("\x1b[?7l"), "line wrap is on again");
    assertResumable(output, dir);
  });

  it("SIGTERM without a terminal", async () => {
    const dir = tmp("sigterm");
    const { code, output } = await interruptWhen(
      process.execPath,
      [BIN, ...LONG, "--out", dir],
      /^epoch 2\/400/m,
      (child) => child.kill("SIGTERM"),
    );
    assert.equal(code, 130, output);
    assertResumable(output, dir);
  });
});
