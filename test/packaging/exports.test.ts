import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as jax from "@jax-js/jax";
import * as descent from "../../src/index.js";

describe("the public API from the root", () => {
  it("has every namespace and the front door", () => {
    for (const name of [
      "engine",
      "nn",
      "data",
      "optim",
      "solvers",
      "linesearch",
      "curvature",
      "problems",
      "train",
      "report",
      "losses",
    ]) {
      assert.equal(typeof (descent as Record<string, unknown>)[name], "object", name);
    }
    assert.equal(typeof descent.minimize, "function");
    assert.equal(typeof descent.problems.objectiveFromFunction, "function");
    assert.equal(typeof descent.train.loadModel, "function");
    assert.equal(typeof descent.curvature.topEigenvalues, "function");
    assert.equal(typeof descent.engine.realize, "function");
  });

  it("re-exports the very jax-js instance Descent computes with", () => {
    assert.equal(descent.numpy, jax.numpy);
    assert.equal(descent.numpy.Array, jax.numpy.Array);
    for (const name of [
      "tree",
      "grad",
      "jit",
      "valueAndGrad",
      "vmap",
      "jvp",
      "vjp",
      "hessian",
      "blockUntilReady",
      "lax",
    ] as const) {
      // biome-ignore lint/performance/noDynamicNamespaceImportAccess: the test walks every re-exported name
      assert.equal(descent[name], jax[name], name);
    }
  });

  it("keeps the host vector and matrix helpers internal", () => {
    const internal = [
      "dot",
      "axpy",
      "axpyInPlace",
      "norm",
      "matVec",
      "cholesky",
      "choleskySolve",
      "luSolve",
      "scaled",
      "sub",
      "neg",
    ];
    for (const ns of [descent, descent.solvers, descent.linesearch, descent.curvature, descent.problems]) {
      for (const name of internal) assert.ok(!(name in ns), `${name} is exported`);
    }
  });
});
