import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { descent, tmp, TINY } from "./helpers.js";

describe("progress off a terminal: one line per epoch on stderr, with an estimate", () => {
  it("--json keeps stdout to one JSON line and reports progress on stderr", () => {
    const run = descent(["train", ...TINY, "--json", "--out", tmp("json")]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim().split("\n").length, 1);
    JSON.parse(run.stdout);
    assert.match(run.stderr, /^training: 18 steps \(9 per epoch\)$/m);
    const epoch1 = String.raw`^epoch 1/2: train loss \d+\.\d+, validation loss \d+\.\d+, validation accuracy [\d.]+% `;
    assert.match(run.stderr, new RegExp(String.raw`${epoch1}\(step 9/18, ETA \d+ s\)$`, "m"));
    assert.match(run.stderr, /^epoch 2\/2: .*\(step 18\/18, ETA 0 s\)$/m);
  });

  it("diagnose prints its epochs when stderr is not a terminal", () => {
    const run = descent([
      "diagnose",
      ...TINY,
      "--epochs",
      "1",
      "--noise-batch-sizes",
      "8,32",
      "--lanczos-steps",
      "3",
      "--out",
      tmp("diag"),
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^diagnose: 9 steps \(9 per epoch\)$/m);
    assert.match(run.stderr, /^epoch 1\/1: /m);
    assert.match(run.stderr, /^diagnose: gradient noise at batch sizes 8, 32 over 900 examples$/m);
  });
});

describe("descent optimize in float64 (exact on Wasm for every problem: no special path for quadratics)", () => {
  it("a quadratic reports its run without a device note", () => {
    const run = descent(["optimize", "--problem", "quadratic", "--dim", "20", "--method", "cg-fr"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /quadratic20-cond100: .* in [\d.]+ s — /);
  });
});
