import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultLearningRate, defaultSchedule } from "../../src/cli/trainDefaults.js";
import { OPTIMIZER_NAMES } from "../../src/optim/index.js";

describe("descent train defaults", () => {
  it("give every named optimizer a positive rate and a schedule", () => {
    for (const name of OPTIMIZER_NAMES) {
      assert.ok(defaultLearningRate(name) > 0, name);
      assert.ok(["constant", "linear", "cosine"].includes(defaultSchedule(name)), name);
    }
    assert.equal(defaultLearningRate("adam"), 2e-3);
    assert.equal(defaultSchedule("book.sgd"), "linear");
    assert.throws(() => defaultLearningRate("nope"), /no default rate for optimizer "nope"/);
  });
});
