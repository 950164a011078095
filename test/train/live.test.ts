import assert from "node:assert/strict";
import { before, test } from "node:test";
import { gaussianBlobs, twoSpirals, xorQuadrants } from "../../src/data/synthetic.js";
import { flattenTree, precisionOf, startEngine } from "../../src/engine/index.js";
import { mlp } from "../../src/nn/index.js";
import { OPTIMIZERS, parseHyperparameters } from "../../src/optim/presets.js";
import { TrainingDivergedError } from "../../src/train/errors.js";
import { LiveTraining } from "../../src/train/live.js";

before(() => startEngine());

const optimizer = (name: string, config: Record<string, unknown>) =>
  OPTIMIZERS[name].build(parseHyperparameters(name, config), { totalSteps: 100 });

function session(name: string, config: Record<string, unknown>, seed = 1) {
  return new LiveTraining({
    model: mlp(2, { width: 16, depth: 2 }),
    data: xorQuadrants({ count: 200, key: 3 }),
    optimizer: optimizer(name, config),
    batchSize: 32,
    seed,
    precision: precisionOf("float32"),
  });
}

test("LiveTraining: the loss falls on xor, a seed repeats every loss bit for bit, probabilities sum to 1", () => {
  const a = session("book.adam", { lr: 0.02 });
  const b = session("book.adam", { lr: 0.02 });
  try {
    const losses = [...a.run(40), ...a.run(40)];
    assert.equal(a.step, 80);
    const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
    assert.ok(mean(losses.slice(-10)) < 0.5 * mean(losses.slice(0, 10)), `${losses.slice(0, 3)} … ${losses.slice(-3)}`);
    assert.deepEqual(b.run(80), losses);
    const p = a.probabilities([0.5, 0.5, 0.5, -0.5, -0.5, -0.5]);
    assert.equal(p.length, 6);
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(p[2 * i] + p[2 * i + 1] - 1) < 1e-6);
    assert.ok(p[3] > 0.5 && p[1] < 0.5, `xor: (0.5, −0.5) is class 1, (0.5, 0.5) class 0: ${p}`);
  } finally {
    a.dispose();
    b.dispose();
  }
});

test("LiveTraining: a huge rate stops with the Trainer's named cause, not NaN", () => {
  const t = session("book.sgd", { lr: 1e8 });
  try {
    assert.throws(
      () => t.run(50),
      (e: Error) =>
        e instanceof TrainingDivergedError &&
        /^(non-finite .* at step \d+: lower the learning rate or clip gradients|loss diverged at step \d+)/.test(
          e.message,
        ),
    );
    assert.ok(t.losses.every(Number.isFinite), "no NaN loss is recorded");
  } finally {
    t.dispose();
  }
});

test("LiveTraining with batch norm: its running statistics move, and eval-mode predictions use them", () => {
  const t = new LiveTraining({
    model: mlp(3, { width: 8, depth: 2, batchNorm: true }),
    data: gaussianBlobs({ count: 120, classes: 3, key: 5 }),
    optimizer: optimizer("torch.SGD", { lr: 0.1, momentum: 0.9 }),
    batchSize: 24,
    seed: 2,
    precision: precisionOf("float32"),
  });
  try {
    const before = flattenTree(t.modelState);
    const losses = t.run(30);
    assert.ok(losses.every(Number.isFinite) && losses.at(-1)! < losses[0], `${losses[0]} → ${losses.at(-1)}`);
    assert.notDeepEqual(flattenTree(t.modelState), before);
    const p = t.probabilities([0, 0, 1, 1]);
    assert.equal(p.length, 6);
    assert.ok(Math.abs(p[0] + p[1] + p[2] - 1) < 1e-6);
  } finally {
    t.dispose();
  }
});

test("LiveTraining: bad settings are named", () => {
  assert.throws(
    () =>
      new LiveTraining({
        model: mlp(2),
        data: twoSpirals({ count: 10, key: 1 }),
        optimizer: optimizer("book.sgd", {}),
        batchSize: 0,
        seed: 0,
        precision: precisionOf("float32"),
      }),
    /batch size must be a positive integer, got 0/,
  );
});
