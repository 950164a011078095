/**
 * `descent diagnose --checkpoint DIR`: the diagnostics of 8.2 on a trained model, read from DIR's
 * checkpoint without retraining. Measures the gᵀHg monitor on the probe batch, the Hessian's extreme
 * Ritz values and SLQ density, Hutchinson's trace, gradient noise and the symmetry check. Writes
 * DIR/checkpoint-diagnostics.jsonl, with the indices that recompute every number.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { numpy as np } from "@jax-js/jax";
import { disposeTree, random } from "../engine/index.js";
import {
  compileIllConditioningProbe,
  deviceBatch,
  gradientNoise,
  hutchinsonTrace,
  modelLoss,
  spectrumSnapshot,
  treeLossHessian,
} from "../curvature/index.js";
import { learningRate } from "../optim/index.js";
import { loadModel, readModelCheckpoint, type ModelCheckpoint } from "../train/index.js";
import { UserError } from "./errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { lastPositiveRate, probeIndices, symmetryCheck, symmetryKey } from "./diagnoseShared.js";
import { prepareTraining, resolveConfig } from "./train.js";

export interface CheckpointDiagnoseOptions {
  dir: string;
  probeSize: number;
  lanczosSteps: number;
  traceProbes: number;
  noiseBatchSizes: number[];
  noise: boolean;
  monitorLr?: number;
  json: boolean;
}

/**
 * The checkpoint, read once, and the run's settings as it recorded them (nulls are settings left at their defaults).
 */
function readRun(path: string): { checkpoint: ModelCheckpoint; checkpointSettings: Record<string, unknown> } {
  if (!existsSync(path)) throw new UserError(`--checkpoint: no checkpoint at ${path}`);
  let checkpoint: ModelCheckpoint;
  try {
    checkpoint = readModelCheckpoint(path);
  } catch (error) {
    throw new UserError(`--checkpoint: ${path} is not a readable checkpoint (${(error as Error).message})`);
  }
  if (!checkpoint.config || typeof checkpoint.config !== "object" || !Object.keys(checkpoint.config).length)
    throw new UserError(`--checkpoint: ${path} does not record the settings of its run`);
  const checkpointSettings = Object.fromEntries(Object.entries(checkpoint.config).filter(([, v]) => v !== null));
  return { checkpoint, checkpointSettings };
}

export async function diagnoseCheckpoint(opts: CheckpointDiagnoseOptions): Promise<void> {
  const path = join(opts.dir, "checkpoint.safetensors");
  const { checkpoint, checkpointSettings } = readRun(path);
  const { out: _out, resume: _resume, stopAfterSteps: _stop, ...settings } = checkpointSettings;
  const config = resolveConfig({ ...settings, out: opts.dir });
  const run = await prepareTraining(config);
  const { precision, trainSet, model, resolved } = run;
  const classification = trainSet.numClasses > 0;
  let loaded;
  try {
    // The weights at the checkpoint's step, as the run left them (not an early-stopping best).
    loaded = loadModel(checkpoint, { model, inputShape: trainSet.xShape, precision, weights: "final" });
  } catch (error) {
    throw new UserError(`--checkpoint: ${(error as Error).message}`);
  }
  const { params, modelState, progress } = loaded;
  const loss = modelLoss(model, classification);
  const probeIdx = probeIndices(config.seed, trainSet.size, opts.probeSize);
  const probe = deviceBatch(trainSet, probeIdx, precision);
  const key = random.foldIn(random.randomKey(config.seed), 0x636b70);
  const lines: Record<string, unknown>[] = [
    { type: "checkpoint", path, step: progress.step, epoch: progress.epoch },
    { type: "probe", indices: Array.from(probeIdx) },
  ];
  try {
    // ε: --monitor-lr, else the run's rate at its last step (the last positive one where a schedule reached 0).
    const plannedSteps = run.stepsPerEpoch * run.epochs;
    const lr =
      opts.monitorLr ??
      lastPositiveRate(
        learningRate(resolved.lr, resolved.schedule, { totalSteps: plannedSteps }),
        progress.step,
        precision,
      );
    const monitor = compileIllConditioningProbe(loss, precision);
    try {
      lines.push({ type: "curvature", step: progress.step, ...monitor.run(params, lr, modelState, probe.x, probe.y) });
    } finally {
      monitor.dispose();
    }
    const op = treeLossHessian(loss, params, [{ data: [modelState, probe.x, probe.y], weight: 1 }], precision);
    try {
      const snapshot = spectrumSnapshot(op, {
        steps: opts.lanczosSteps,
        key: random.foldIn(key, 1),
        exactProducts: precision.dtype === np.float64,
      });
      lines.push({ type: "spectrum", step: progress.step, ...snapshot });
      lines.push({
        type: "trace",
        step: progress.step,
        probes: opts.traceProbes,
        ...hutchinsonTrace(op, { probes: opts.traceProbes, key: random.foldIn(key, 2) }),
      });
    } finally {
      op.dispose();
    }
    const noiseSizes = opts.noiseBatchSizes.filter((m) => m >= 1 && m <= trainSet.size);
    if (opts.noise && noiseSizes.length)
      lines.push({
        type: "gradient-noise",
        ...gradientNoise({
          loss,
          params,
          modelState,
          data: trainSet,
          precision,
          batchSizes: noiseSizes,
          key: random.randomKey(config.seed),
        }),
      });
    const symmetry = symmetryCheck(
      model,
      params,
      modelState,
      probe,
      precision,
      classification,
      symmetryKey(config.seed),
    );
    if (symmetry) lines.push({ type: "symmetry", ...symmetry });
  } finally {
    loaded.dispose();
    disposeTree([probe.x, probe.y]);
  }
  const file = join(opts.dir, "checkpoint-diagnostics.jsonl");
  writeFileAtomic(file, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  const curvature = lines.find((l) => l.type === "curvature") as {
    loss: number;
    gTg: number;
    gHg: number;
    illConditioned: boolean;
  };
  const spectrum = lines.find((l) => l.type === "spectrum") as {
    top: { value: number }[];
    bottom: { value: number }[];
  };
  const trace = lines.find((l) => l.type === "trace") as { estimate: number; stdError: number };
  const summary = {
    step: progress.step,
    loss: curvature.loss,
    gTg: curvature.gTg,
    gHg: curvature.gHg,
    illConditioned: curvature.illConditioned,
    top: spectrum.top.map((p) => p.value),
    bottom: spectrum.bottom.map((p) => p.value),
    trace: trace.estimate,
  };
  if (opts.json) {
    process.stdout.write(JSON.stringify(summary) + "\n");
    return;
  }
  process.stdout.write(
    `checkpoint at step ${progress.step}: loss ${curvature.loss.toPrecision(4)}, gᵀg ` +
      `${curvature.gTg.toPrecision(4)}, gᵀHg ${curvature.gHg.toPrecision(4)}` +
      `${curvature.illConditioned ? " (ill-conditioned)" : ""}, λmax ≈ ${summary.top[0]?.toPrecision(4)}, tr H ≈ ` +
      `${trace.estimate.toPrecision(4)} ± ${trace.stdError.toPrecision(2)}; wrote ${file}\n`,
  );
}
