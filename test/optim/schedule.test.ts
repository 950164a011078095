import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startEngine } from "../../src/engine/index.js";
import {
  buildSchedule,
  constantSchedule,
  cosineDecaySchedule,
  exponentialSchedule,
  inverseTimeSchedule,
  learningRate,
  linearDecaySchedule,
  scheduleSpecSchema,
  stepSchedule,
  warmupSchedule,
  type Schedule,
} from "../../src/optim/index.js";
import { close, step } from "./helpers.js";

const at = (s: Schedule, ...ks: number[]) => ks.map((k) => s(step(k)).item());

describe("schedules (k = 1 for the first update)", () => {
  before(() => startEngine());

  it("constant", () => assert.deepEqual(at(constantSchedule(0.3), 1, 1000), [0.3, 0.3]));

  it("linear decay of eq. 8.14: ε0 at k = 0, ε_τ from k = τ on, linear between, ε_τ = ε0/100 by default", () => {
    const s = linearDecaySchedule(0.5, 10, 0.1);
    close(at(s, 0, 1, 5, 9, 10, 11, 1e6), [0.5, 0.46, 0.3, 0.14, 0.1, 0.1, 0.1], 1e-15, "ε_k");
    close(at(linearDecaySchedule(2, 4), 4, 5), [0.02, 0.02], 1e-15, "default ε_τ");
  });

  it("cosine: init at k = 0, end at k = steps and after, half-way at steps/2", () => {
    close(at(cosineDecaySchedule(1, 100, 0.1), 0, 50, 100, 150), [1, 0.55, 0.1, 0.1], 1e-14, "cosine");
  });

  it("step: init for the first `every` updates, then ×factor each `every`", () => {
    close(at(stepSchedule(1, 3, 0.5), 1, 3, 4, 6, 7), [1, 1, 0.5, 0.5, 0.25], 0, "step");
  });

  it("exponential: init at the first update, ×rate every `every` updates", () => {
    close(at(exponentialSchedule(2, 0.5, 2), 1, 2, 3, 5), [2, 2 * Math.SQRT1_2, 1, 0.5], 1e-15, "exponential");
  });

  it("inverse time (PyTorch Adagrad's lr_decay): init/(1 + (k−1)·decay)", () => {
    close(at(inverseTimeSchedule(1, 0.5), 1, 2, 3), [1, 1 / 1.5, 0.5], 1e-15, "inverse time");
  });

  it("linear warm-up to the schedule's first value, then the schedule counted from the warm-up's end", () => {
    const s = warmupSchedule(4, 1, stepSchedule(1, 2, 0.1));
    close(at(s, 1, 2, 4, 5, 6, 7), [0.25, 0.5, 1, 1, 1, 0.1], 1e-15, "warm-up");
  });

  it("specs fill lengths from the run and init from the learning rate", () => {
    const linear = buildSchedule(scheduleSpecSchema.parse({ kind: "linear" }), { init: 1, totalSteps: 10 });
    close(at(linear, 10), [0.01], 1e-15, "eq. 8.14 over the run");
    const warm = learningRate(0.2, { kind: "cosine", warmup: 2, end: 0 }, { totalSteps: 12 });
    assert.equal(typeof warm, "function");
    close(
      at(warm as Schedule, 1, 2, 3, 12),
      [0.1, 0.2, 0.2 * (0.5 + 0.5 * Math.cos(Math.PI / 10)), 0],
      1e-15,
      "cosine after warm-up",
    );
    assert.equal(learningRate(0.2, "constant", { totalSteps: 12 }), 0.2);
    assert.throws(() => buildSchedule(scheduleSpecSchema.parse({ kind: "cosine" }), { init: 1 }), /needs "steps"/);
    assert.throws(() => buildSchedule(scheduleSpecSchema.parse({ kind: "constant" }), {}), /needs "init"/);
    assert.equal(scheduleSpecSchema.safeParse({ kind: "step", every: 2, factr: 0.5 }).success, false);
  });
});
