import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assertFault, descent, finishedRun, snapshot, TINY } from "./helpers.js";

describe("a run never touches another run's files", () => {
  it("a diverging run leaves the previous run's folder byte-identical", () => {
    const dir = finishedRun("diverge");
    const before = snapshot(dir);
    assertFault(descent(["train", ...TINY, "--seed", "1", "--lr", "1e6", "--out", dir]), /diverged|non-finite/);
    assert.deepEqual(snapshot(dir), before);
  });

  it(
    "a run stopped early stays in <out>/unfinished; the finished run beside it is untouched; --resume continues " +
      "it",
    () => {
      const dir = finishedRun("unfinished");
      const before = snapshot(dir);
      const stopped = descent(["train", ...TINY, "--seed", "1", "--out", dir, "--stop-after-steps", "4"]);
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.match(stopped.stdout, /continue with: descent train --out .* --resume/);
      for (const [path, bytes] of before) assert.deepEqual(readFileSync(join(dir, path)), bytes, path);
      assert.ok(existsSync(join(dir, "unfinished", "checkpoint.safetensors")));
      // A fresh run must not discard the interrupted one.
      assertFault(
        descent(["train", ...TINY, "--out", dir]),
        /unfinished holds an interrupted run: continue it with --resume/,
      );
      const resumed = descent(["train", "--out", dir, "--resume", "--json"]);
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.equal(JSON.parse(resumed.stdout).steps, 18);
      assert.ok(!existsSync(join(dir, "unfinished")), "the finished run's files replaced the previous ones");
      assert.equal(JSON.parse(readFileSync(join(dir, "config.json"), "utf8")).seed, 1);
    },
  );

  it("a second run into a folder in use is refused; a stale lock (dead process) is taken over", () => {
    const dir = finishedRun("lock");
    writeFileSync(join(dir, ".lock"), `${process.pid}\n`); // a live process holds it
    const before = snapshot(dir);
    assertFault(descent(["train", ...TINY, "--out", dir]), /is in use by another run \(process \d+\)/);
    assert.deepEqual(snapshot(dir), before);
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
      encoding: "utf8",
    }).stdout;
    writeFileSync(join(dir, ".lock"), `${dead}\n`);
    const run = descent(["train", ...TINY, "--out", dir, "--json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(!existsSync(join(dir, ".lock")), "the lock is released at the end");
  });

  it("a half-written last line in metrics.jsonl does not prevent a resume", () => {
    const dir = finishedRun("halfline", ["--stop-after-steps", "4"]);
    appendFileSync(join(dir, "unfinished", "metrics.jsonl"), '{"type":"epoch","epoch":1,"st');
    const resumed = descent(["train", "--out", dir, "--resume", "--json"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    const lines = readFileSync(join(dir, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => l.type),
      ["epoch", "epoch", "test"],
    );
  });

  it("a flipped byte in the checkpoint's tensors is caught by its SHA-256", () => {
    const dir = finishedRun("flip", ["--stop-after-steps", "4"]);
    const path = join(dir, "unfinished", "checkpoint.safetensors");
    const bytes = readFileSync(path);
    bytes[bytes.byteLength - 3] ^= 0x01;
    writeFileSync(path, bytes);
    const before = snapshot(dir);
    assertFault(
      descent(["train", "--out", dir, "--resume"]),
      /checkpoint\.safetensors is corrupted: the SHA-256 of its tensor bytes/,
    );
    assert.deepEqual(snapshot(dir), before);
  });
});

describe("--resume takes the run's settings from its checkpoint", () => {
  it("needs no flag retyped, accepts a flag equal to the run's (defaults included), refuses one that differs", () => {
    const dir = finishedRun("settings", ["--stop-after-steps", "4", "--activation", "tanh", "--seed", "5"]);
    assertFault(
      descent(["train", "--out", dir, "--resume", "--activation", "relu"]),
      /leave out the ones that differ \(activation: "tanh" in the run, "relu" given\)/,
    );
    const same = descent(["train", "--out", dir, "--resume", "--width", "8", "--init", "glorot", "--json"]);
    assert.equal(same.code, 0, same.stderr);
  });

  it("a finished run says so and exits 2; --epochs extends it, but cannot shorten it", () => {
    const dir = finishedRun("finished");
    const before = snapshot(dir);
    assertFault(descent(["train", "--out", dir, "--resume"]), /finished its 2 epochs; there is nothing to resume/);
    assertFault(descent(["train", "--out", dir, "--resume", "--epochs", "1"]), /--epochs 1 is below the run's 2/);
    assert.deepEqual(snapshot(dir), before);
    const extended = descent(["train", "--out", dir, "--resume", "--epochs", "3", "--json"]);
    assert.equal(extended.code, 0, extended.stderr);
    assert.equal(JSON.parse(extended.stdout).steps, 27);
  });

  it("an early-stopped run says so and exits 2", () => {
    const dir = finishedRun("early", ["--epochs", "30", "--patience", "1", "--lr", "0.5"]);
    assert.ok(JSON.parse(readFileSync(join(dir, "metrics.jsonl"), "utf8").trim().split("\n").at(-1)!).epoch < 30);
    assertFault(
      descent(["train", "--out", dir, "--resume"]),
      /stopped early \(early stopping\) after epoch \d+; there is nothing to resume/,
    );
  });
});

describe("descent diagnose uses the run folder too", () => {
  it("a failing diagnose run leaves the previous run's files byte-identical", () => {
    const dir = finishedRun("diagnose");
    const before = snapshot(dir);
    assertFault(
      descent(["diagnose", ...TINY, "--lr", "1e6", "--no-noise", "--lanczos-steps", "3", "--out", dir]),
      /diverged|non-finite/,
    );
    assert.deepEqual(snapshot(dir), before);
  });
});
