/**
 * FitNets hints (8.7.4): a deep thin student trained on the
 * task alone vs with hints from a wide teacher's middle layer.
 */
import { disposeTree } from "../../engine/index.js";
import { book } from "../../optim/index.js";
import { train as trainNetwork } from "../../train/index.js";
import { decayToZero } from "../auxiliaryHeads.js";
import { deepMlp } from "../deepMlp.js";
import { trainWithHints } from "../hints.js";
import { bySeed, runVariants, trainAndTest } from "./compare.js";
import { digits } from "./digits.js";
import { exceedsByTwoSe, rowOf } from "./stats.js";
import type { Experiment } from "./types.js";

const { sgd } = book;

const SETTINGS = {
  smoke: { studentDepth: 4, studentWidth: 8, teacherWidth: 32, teacherEpochs: 1, hintEpochs: 1, taskEpochs: 1 },
  quick: { studentDepth: 8, studentWidth: 16, teacherWidth: 128, teacherEpochs: 2, hintEpochs: 1, taskEpochs: 2 },
  full: { studentDepth: 10, studentWidth: 16, teacherWidth: 256, teacherEpochs: 4, hintEpochs: 2, taskEpochs: 5 },
};

export const hintsExperiment: Experiment = {
  name: "hints",
  claim:
    "A deep thin student that is first trained to predict the middle layer of a wide shallow teacher (FitNets hints, " +
    "Romero et al. 2015) learns a task it fails to learn from the task loss alone (8.7.4).",
  seeds: { smoke: 1, quick: 2, full: 3 },
  async run(ctx) {
    const s = { ...SETTINGS[ctx.size], activation: "sigmoid" as const, teacherDepth: 3, lr: 0.1, batchSize: 64 };
    const { train, test } = digits(ctx.size);
    const student = { depth: s.studentDepth, width: s.studentWidth, activation: s.activation };
    const teacherModel = deepMlp(10, { depth: s.teacherDepth, width: s.teacherWidth, activation: s.activation });
    const names = ["task loss only", "hints, then task"];
    const steps = Math.ceil(train.size / s.batchSize) * s.taskEpochs;
    const collected = await runVariants(ctx, names, async (variant, seed) => {
      if (variant === names[0])
        return trainAndTest({
          model: deepMlp(10, student),
          train,
          test,
          optimizer: sgd(s.lr),
          epochs: s.hintEpochs + s.taskEpochs,
          batchSize: s.batchSize,
          seed,
          precision: ctx.precision,
        });
      // The teacher is trained once per seed (its cost is not part of the student's budget).
      const teacher = await trainNetwork({
        model: teacherModel,
        train,
        optimizer: sgd(s.lr),
        epochs: s.teacherEpochs,
        batchSize: s.batchSize,
        seed: seed + 100,
        precision: ctx.precision,
      });
      const result = await trainWithHints({
        train,
        test,
        teacher: { model: teacherModel, params: teacher.params },
        student,
        hintLayer: Math.floor(s.teacherDepth / 2),
        guidedLayer: Math.floor(s.studentDepth / 2),
        optimizer: () => sgd(s.lr),
        hintEpochs: s.hintEpochs,
        taskEpochs: s.taskEpochs,
        hintWeight: decayToZero(1, Math.ceil(steps / 2)),
        batchSize: s.batchSize,
        seed,
        precision: ctx.precision,
      });
      disposeTree([teacher.params, teacher.modelState, result.params]);
      return {
        metrics: {
          testAccuracy: result.task.test!.accuracy!,
          testLoss: result.task.test!.loss,
          hintLoss: result.hintLoss,
        },
      };
    });
    const rule = exceedsByTwoSe(collected.metrics[names[1]].testAccuracy, collected.metrics[names[0]].testAccuracy);
    return {
      rows: names.map((v) => rowOf(v, collected.metrics[v])),
      reproduced: rule.holds,
      verdict:
        `rule: the student's test accuracy with hints − without > 2 SE, ${s.hintEpochs + s.taskEpochs} ` +
        `student epochs each; ${rule.text}`,
      chart: {
        title:
          `Student ${s.studentDepth}×${s.studentWidth} sigmoid, teacher ${s.teacherDepth}×${s.teacherWidth}: ` +
          `test accuracy by seed`,
        x: "seed",
        yTitle: "test accuracy",
        series: names,
        rows: bySeed(collected, names, ctx.seeds, "testAccuracy"),
      },
      settings: { ...s, trainExamples: train.size, testExamples: test.size },
    };
  },
};
