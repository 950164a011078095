import assert from "node:assert/strict";
import { before, test } from "node:test";
import { defaultDevice, numpy as np } from "@jax-js/jax";
import { onDevice, startEngine, withDefaultDevice } from "../../src/engine/index.js";

before(async () => {
  await startEngine();
});

test("withDefaultDevice makes arrays created without a device land there, then restores the default", () => {
  const before = defaultDevice();
  const made = withDefaultDevice("cpu", () => np.zeros([3]));
  assert.equal(made.device, "cpu");
  assert.equal(defaultDevice(), before);
  assert.throws(() =>
    withDefaultDevice("cpu", () => {
      throw new Error("inside");
    }),
  );
  assert.equal(defaultDevice(), before, "restored after a throw");
  const zeros = onDevice("cpu", (n: number) => np.zeros([n]));
  assert.equal(zeros(2).device, "cpu");
  made.dispose();
});
