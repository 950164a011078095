import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { book } from "../../src/optim/index.js";
import { minibatchCg, minibatchLbfgs } from "../../src/solvers/index.js";
import { closureOptimizer, isClosureOptimizer } from "../../src/train/index.js";

describe("closure optimizers", () => {
  it("are their own kind in the Trainer's optimizer union, with no update() to misuse", () => {
    for (const solver of [minibatchLbfgs(), minibatchCg()]) {
      const optimizer = closureOptimizer(solver);
      assert.ok(isClosureOptimizer(optimizer));
      assert.equal(optimizer.minibatchSolver, solver);
      assert.ok(!("update" in optimizer) && !("init" in optimizer));
    }
    assert.ok(!isClosureOptimizer(book.sgd(0.1)));
  });
});
