import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { descentAsync } from "../optim/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "descent-train-optim-"));
const configFile = (name: string, config: unknown) => {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(config));
  return path;
};

describe("descent train with any optimizer", () => {
  it("--optimizer book.nesterov --lr …", async () => {
    const run = await descentAsync([
      "train",
      "--dataset",
      "blobs",
      "--epochs",
      "2",
      "--optimizer",
      "book.nesterov",
      "--lr",
      "0.05",
      "--json",
      "--out",
      join(dir, "nesterov"),
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(JSON.parse(run.stdout).testAccuracy > 0.8, run.stdout);
  });

  it(
    "a JSON config with hyperparameters, a schedule with warm-up, clipping, both weight decays and " + "averaging",
    async () => {
      const out = join(dir, "config");
      const config = configFile("full", {
        dataset: "blobs",
        epochs: 2,
        optimizer: { name: "torch.SGD", momentum: 0.9, nesterov: true, dampening: 0 },
        lr: 0.05,
        schedule: { kind: "step", every: 5, factor: 0.7, warmup: 3 },
        clipNorm: 2,
        clipValue: 1,
        weightDecay: 1e-4,
        decoupledWeightDecay: 1e-3,
        average: "exponential",
        averageDecay: 0.8,
        skipNonFinite: true,
      });
      const run = await descentAsync(["train", "--config", config, "--json", "--out", out]);
      assert.equal(run.code, 0, run.stderr);
      assert.ok(JSON.parse(run.stdout).testAccuracy > 0.8, run.stdout);
      const resolved = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
      assert.deepEqual(resolved.optimizer, { name: "torch.SGD", momentum: 0.9, nesterov: true, dampening: 0 });
      assert.equal(resolved.average, "exponential");
    },
  );

  it("book.sgd defaults to the linear decay of eq. 8.14 over the run", async () => {
    const out = join(dir, "booksgd");
    const run = await descentAsync([
      "train",
      "--dataset",
      "blobs",
      "--epochs",
      "1",
      "--optimizer",
      "book.sgd",
      "--json",
      "--out",
      out,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const resolved = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
    assert.equal(resolved.schedule, "linear");
    assert.equal(resolved.lr, 0.3);
  });

  describe("bad optimizer settings: exit code 2 and one line naming the field", () => {
    const cases: [string, unknown, RegExp][] = [
      ["unknown hyperparameter", { optimizer: { name: "torch.SGD", mom: 0.9 } }, /unknown key "optimizer\.mom"/],
      [
        "wrong type",
        { optimizer: { name: "torch.RMSprop", centered: "yes" } },
        /"optimizer\.centered" expected boolean/,
      ],
      [
        "learning rate inside the optimizer",
        { optimizer: { name: "book.adam", lr: 0.1 } },
        /"optimizer\.lr" is set by the top-level "lr"/,
      ],
      ["unknown optimizer", { optimizer: "book.adamw" }, /"optimizer" unknown optimizer "book\.adamw"/],
      [
        "a full-batch solver name",
        { optimizer: "lbfgs" },
        /unknown optimizer "lbfgs": the minibatch solver is "minibatch-lbfgs"/,
      ],
      ["bad schedule", { schedule: { kind: "step", every: 0 } }, /"schedule\.every" Too small/],
      ["bad averaging", { average: "polyak" }, /"average"/],
      [
        "unknown minibatch-solver key",
        { optimizer: { name: "minibatch-lbfgs", memroy: 3 } },
        /unknown key "optimizer\.memroy"/,
      ],
      [
        "wrong minibatch-solver type",
        { optimizer: { name: "minibatch-cg", variant: "hs" } },
        /"optimizer\.variant" .*expected one of "fr"/,
      ],
    ];
    for (const [what, config, pattern] of cases) {
      it(what, async () => {
        const run = await descentAsync([
          "train",
          "--config",
          configFile(what.replace(/ /g, "-"), config),
          "--out",
          join(dir, "bad"),
        ]);
        assert.equal(run.code, 2, run.stderr);
        assert.equal(run.stdout, "");
        assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
        assert.match(run.stderr, pattern);
      });
    }
  });
});
