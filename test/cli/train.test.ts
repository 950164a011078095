import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { descent } from "./run.js";

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `descent-cli-${name}-`));
const oneLine = (s: string) => s.trim().split("\n").length === 1;

describe("descent train", () => {
  it("trains the default MLP on the bundled digits to >= 95% test accuracy, printing one JSON line", () => {
    const out = tmp("default");
    const run = descent(["train", "--json", "--out", out]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(oneLine(run.stdout), run.stdout);
    const summary = JSON.parse(run.stdout);
    assert.deepEqual(Object.keys(summary).sort(), [
      "epochs",
      "examplesPerSecond",
      "seconds",
      "steps",
      "testAccuracy",
      "testLoss",
      "trainLoss",
    ]);
    assert.ok(summary.testAccuracy >= 0.95, `test accuracy ${summary.testAccuracy}`);
    for (const f of ["metrics.jsonl", "checkpoint.safetensors", "report.html", "config.json"])
      assert.ok(existsSync(join(out, f)), f);
    assert.match(readFileSync(join(out, "report.html"), "utf8"), /<svg/);
  });

  it("prints the test accuracy in plain mode", () => {
    const run = descent(["train", "--dataset", "blobs", "--epochs", "2", "--out", tmp("plain")]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /test accuracy \d+\.\d+%/);
  });

  it("takes settings from --config, flags overriding", () => {
    const dir = tmp("config");
    const config = join(dir, "c.json");
    writeFileSync(config, JSON.stringify({ dataset: "spirals", epochs: 1, width: 8, batchSize: 50 }));
    const run = descent(["train", "--config", config, "--epochs", "2", "--json", "--out", dir]);
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.equal(summary.epochs, 2);
    assert.equal(summary.steps, 2 * Math.ceil(900 / 50));
  });

  it("applies the data-driven initialization heuristics of 8.4 (--data-init, --output-bias)", () => {
    const base = ["train", "--dataset", "blobs", "--epochs", "1", "--json"];
    const plain = descent([...base, "--out", tmp("plain-init")]);
    const tuned = descent([...base, "--data-init", "--output-bias", "--out", tmp("data-init")]);
    assert.equal(tuned.code, 0, tuned.stderr);
    assert.notEqual(JSON.parse(tuned.stdout).testLoss, JSON.parse(plain.stdout).testLoss);
  });

  it("resumes an interrupted run to the same result as an uninterrupted one", () => {
    const base = ["train", "--dataset", "blobs", "--epochs", "3", "--batch-size", "64", "--json"];
    const whole = descent([...base, "--out", tmp("whole")]);
    const dir = tmp("resume");
    const first = descent([...base, "--out", dir, "--stop-after-steps", "20"]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(JSON.parse(first.stdout).steps, 20);
    const resumed = descent([...base, "--out", dir, "--resume"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    const [a, b] = [JSON.parse(whole.stdout), JSON.parse(resumed.stdout)];
    assert.equal(b.steps, a.steps);
    assert.equal(b.testLoss, a.testLoss);
    assert.equal(b.testAccuracy, a.testAccuracy);
  });

  describe("bad input: exit code 2 and one line naming the cause", () => {
    const bad = (args: string[], pattern: RegExp) => {
      const run = descent(args);
      assert.equal(run.code, 2, `exit ${run.code}: ${run.stderr}`);
      assert.equal(run.stdout, "");
      // Progress lines (off a terminal: "training: …", "epoch 1/2: …") may precede the one error line.
      assert.ok(oneLine(run.stderr.replace(/^(training: |epoch \d+\/\d+: ).*\n/gm, "")), run.stderr);
      assert.match(run.stderr, pattern);
    };
    it("unknown flag", () => bad(["train", "--learning-rate", "0.1"], /unknown option '--learning-rate'/));
    it("malformed number", () => bad(["train", "--epochs", "three"], /--epochs.*expected an integer/));
    it("missing dataset file", () =>
      bad(["train", "--dataset", "idx:/no/such/file-images-idx3-ubyte", "--out", tmp("missing")], /no\/such\/file/));
    it("missing config file", () =>
      bad(
        ["train", "--config", "/no/such/config.json"],
        /config file \/no\/such\/config.json cannot be read: no such file/,
      ));
    it("malformed config JSON", () => {
      const f = join(tmp("json"), "c.json");
      writeFileSync(f, "{ epochs: 3 ");
      bad(["train", "--config", f], /is not valid JSON/);
    });
    it("unknown config key", () => {
      const f = join(tmp("key"), "c.json");
      writeFileSync(f, JSON.stringify({ epochs: 1, learningRate: 0.1 }));
      bad(["train", "--config", f], /unknown key "learningRate"/);
    });
    it("wrong type in config", () => {
      const f = join(tmp("type"), "c.json");
      writeFileSync(f, JSON.stringify({ batchSize: "big" }));
      bad(["train", "--config", f], /"batchSize" expected number/);
    });
    it("--output-bias on a regression dataset", () =>
      bad(
        ["train", "--dataset", "regression", "--output-bias", "--out", tmp("bias")],
        /--output-bias needs a classification dataset/,
      ));
    it("resume without a checkpoint", () =>
      bad(["train", "--resume", "--out", tmp("nockpt")], /--resume: no checkpoint/));
    it("a diverging run (--lr 1e6) leaves the existing checkpoint intact", () => {
      const dir = tmp("nan");
      const good = descent(["train", "--dataset", "blobs", "--epochs", "1", "--out", dir, "--json"]);
      assert.equal(good.code, 0, good.stderr);
      const before = readFileSync(join(dir, "checkpoint.safetensors"));
      bad(["train", "--dataset", "blobs", "--epochs", "1", "--lr", "1e6", "--out", dir], /diverged|non-finite/);
      assert.deepEqual(readFileSync(join(dir, "checkpoint.safetensors")), before);
    });
    it("NaN in the loss names the step and the parameter", () =>
      bad(
        ["train", "--dataset", "blobs", "--optimizer", "sgd", "--lr", "1e35", "--out", tmp("inf")],
        /(non-finite|diverged).* at step \d+/,
      ));
  });
});
