import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { disposeTree, random } from "../engine/index.js";
import { gatherBatch } from "../data/index.js";
import {
  deviceBatch,
  diagnosticsSession,
  figure81Verdict,
  gradientNoise,
  modelLoss,
  type DiagnosticRecord,
} from "../curvature/index.js";
import { learningRate } from "../optim/index.js";
import { diagnoseReport } from "../report/diagnoseReport.js";
import { percent, sig } from "../report/format.js";
import { train, type MetricsRecord } from "../train/index.js";
import { UserError } from "./errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { describeFsError, RunFolder, RunFolderError } from "../io/runFolder.js";
import { abortOnSignals, Interrupted } from "./interrupt.js";
import { integerArg, numberArg } from "./args.js";
import { progressCallbacks, progressModeOf } from "./progress.js";
import { lastPositiveRate, probeIndices, symmetryCheck, symmetryKey } from "./diagnoseShared.js";
import { diagnoseCheckpoint } from "./diagnoseCheckpoint.js";
import { prepareTraining, resolveConfig, trainCommand, trainerOptions } from "./train.js";

const listOf = (parse: (s: string) => number) => (value: string) =>
  value
    .split(",")
    .filter((s) => s.trim())
    .map((s) => parse(s.trim()));

const DEFAULT_NOISE_SIZES = [8, 32, 128, 512];

export function diagnoseCommand(): Command {
  const command = new Command("diagnose").description(
    "train as `descent train` does, with the curvature monitors of 8.2 on: ‖g‖, gᵀHg and the ill-conditioning test, " +
      "per-layer gradient norms, the Hessian's spectrum, gradient noise; writes report.html and diagnostics.jsonl",
  );
  // The same flags as `descent train` (but --resume: the monitors watch a run from its start).
  for (const option of trainCommand().options) if (option.long !== "--resume") command.addOption(option);
  return command
    .option(
      "--monitor-every <n>",
      "measure gᵀHg and the layer norms every n steps (default: ~100 measurements)",
      integerArg,
    )
    .option(
      "--monitor-lr <ε>",
      "ε of the hypothetical step −εg (default: the run's learning rate at that step)",
      numberArg,
    )
    .option("--probe-size <n>", "training examples in the fixed probe batch of the monitors", integerArg, 512)
    .option(
      "--spectrum-at <steps>",
      "steps at which to take the Hessian's spectrum (comma list; default: first, middle, last)",
      listOf(integerArg),
    )
    .option("--lanczos-steps <m>", "Lanczos steps (Hessian-vector products) per spectrum", integerArg, 20)
    .option(
      "--noise-batch-sizes <list>",
      "batch sizes of the gradient-noise measurement at the end",
      listOf(integerArg),
      DEFAULT_NOISE_SIZES,
    )
    .option("--no-noise", "skip the gradient-noise measurement")
    .option(
      "--checkpoint <dir>",
      "evaluate the diagnostics on the trained model in DIR/checkpoint.safetensors instead of training (its settings " +
        "come from the checkpoint); writes DIR/checkpoint-diagnostics.jsonl",
    )
    .option("--trace-probes <n>", "with --checkpoint: Rademacher probes of Hutchinson's trace", integerArg, 10)
    .action(async (flags) => runDiagnose(flags));
}

/**
 * Like `descent train`, the run writes into <out>/unfinished and replaces the previous run's files only when it ends.
 */
async function runDiagnose(flags: Record<string, unknown>): Promise<void> {
  const {
    monitorEvery,
    monitorLr,
    probeSize,
    lanczosSteps,
    noiseBatchSizes,
    noise,
    checkpoint,
    traceProbes,
    spectrumAt: _s,
    ...trainFlags
  } = flags as Record<string, never>;
  for (const [name, value] of Object.entries({
    "--monitor-every": monitorEvery,
    "--probe-size": probeSize,
    "--lanczos-steps": lanczosSteps,
  }) as [string, number | undefined][]) {
    if (value !== undefined && !(value >= 1)) throw new UserError(`${name} must be at least 1, got ${value}`);
  }
  if (monitorLr !== undefined && !((monitorLr as number) > 0))
    throw new UserError(`--monitor-lr must be positive, got ${monitorLr}`);
  if (!((traceProbes as number) >= 1)) throw new UserError(`--trace-probes must be at least 1, got ${traceProbes}`);
  // A checkpoint's diagnostics are written beside that run, not as a new run.
  if (checkpoint !== undefined) {
    return diagnoseCheckpoint({
      dir: checkpoint,
      probeSize,
      lanczosSteps,
      traceProbes,
      noiseBatchSizes,
      noise,
      monitorLr,
      json: Boolean(trainFlags.json),
    });
  }
  const folder = RunFolder.open(resolveConfig(trainFlags).out, false);
  try {
    await diagnoseInFolder(flags, folder);
    folder.commit();
  } catch (error) {
    folder.discard();
    const fsFault = describeFsError(error, "write");
    throw fsFault ? new RunFolderError(fsFault) : error;
  } finally {
    folder.release();
  }
}

async function diagnoseInFolder(flags: Record<string, unknown>, folder: RunFolder): Promise<void> {
  const {
    monitorEvery,
    monitorLr,
    probeSize,
    spectrumAt,
    lanczosSteps,
    noiseBatchSizes,
    noise,
    checkpoint: _c,
    traceProbes: _t,
    ...trainFlags
  } = flags as Record<string, never>;
  const json = Boolean(trainFlags.json);
  const config = resolveConfig(trainFlags);
  const run = await prepareTraining(config);
  const { resolved, precision, trainSet, model, epochs, batchSize, stepsPerEpoch } = run;
  const plannedSteps = stepsPerEpoch * epochs;
  const totalSteps = Math.min(plannedSteps, config.stopAfterSteps ?? Infinity);
  const every = (monitorEvery as number | undefined) ?? Math.max(1, Math.round(totalSteps / 100));
  const spectrumSteps = (spectrumAt as number[] | undefined) ?? [
    ...new Set([1, Math.max(1, Math.round(totalSteps / 2)), totalSteps]),
  ];
  const outside = spectrumSteps.find((s) => !(s >= 1 && s <= totalSteps));
  if (outside !== undefined)
    throw new UserError(`--spectrum-at: step ${outside} is outside the run's steps 1..${totalSteps}`);
  // The default sizes are cut to the dataset; sizes asked for must fit it.
  const tooBig =
    flags.noiseBatchSizes === DEFAULT_NOISE_SIZES
      ? undefined
      : (noiseBatchSizes as number[]).find((m) => !(m >= 1 && m <= trainSet.size));
  if (tooBig !== undefined)
    throw new UserError(`--noise-batch-sizes: ${tooBig} is not between 1 and the ${trainSet.size} training examples`);
  const noiseSizes = (noiseBatchSizes as number[]).filter((m) => m >= 1 && m <= trainSet.size);

  // The probe batch: a fixed random subset of the training set, the same at every measurement.
  const probeIdx = probeIndices(config.seed, trainSet.size, probeSize as number);
  const probeHost = gatherBatch(trainSet, probeIdx);
  const probe = {
    ...deviceBatch(trainSet, probeIdx, precision),
    labels: probeHost.y,
    hostX: probeHost.x,
    xShape: trainSet.xShape,
  };
  const schedule = learningRate(resolved.lr, resolved.schedule, { totalSteps: plannedSteps });
  const lrAt = (step: number) => (monitorLr as number | undefined) ?? lastPositiveRate(schedule, step, precision);
  const lines: DiagnosticRecord[] = [{ type: "probe", indices: Array.from(probeIdx) }];
  const session = diagnosticsSession({
    model,
    classification: trainSet.numClasses > 0,
    probe,
    precision,
    every,
    lastStep: totalSteps,
    lr: lrAt,
    spectrumSteps,
    lanczosSteps: lanczosSteps as number,
    key: random.randomKey(config.seed),
    onRecord: (r) => lines.push(r),
  });

  const metricsPath = folder.path("metrics.jsonl");
  const progress = progressCallbacks(progressModeOf(), "diagnose");
  const signals = abortOnSignals(() => progress.stop());
  let result;
  try {
    result = await train({
      ...trainerOptions(run, config, { checkpointPath: folder.path("checkpoint.safetensors"), metricsPath }),
      config: resolved,
      signal: signals.signal,
      callbacks: { ...progress, onStep: (info) => (progress.onStep?.(info), session.onStep(info)) },
    });
  } finally {
    progress.stop();
    signals.dispose();
    session.dispose();
  }
  if (signals.received() && result.interrupted) {
    disposeTree([result.params, result.modelState]);
    // A diagnose run watches the whole run, so it cannot be resumed: the previous run's files stay.
    throw new Interrupted(
      `interrupted by ${signals.received()} after ${result.steps} steps; diagnose runs cannot be resumed, so nothing ` +
        `was written to ${config.out}`,
    );
  }

  const loss = modelLoss(model, trainSet.numClasses > 0);
  // The phases after training can be long (gradient noise over the whole training set): one line each.
  if (noise && noiseSizes.length)
    process.stderr.write(
      `diagnose: gradient noise at batch sizes ${noiseSizes.join(", ")} over ${trainSet.size} examples\n`,
    );
  const noiseResult =
    noise && noiseSizes.length
      ? gradientNoise({
          loss,
          params: result.params,
          modelState: result.modelState,
          data: trainSet,
          precision,
          batchSizes: noiseSizes,
          key: random.randomKey(config.seed),
        })
      : undefined;
  const symmetry = symmetryCheck(
    model,
    result.params,
    result.modelState,
    probe,
    precision,
    trainSet.numClasses > 0,
    symmetryKey(config.seed),
  );
  disposeTree([probe.x, probe.y]);

  const records = readFileSync(metricsPath, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as MetricsRecord);
  const classification = trainSet.numClasses > 0;
  // Figure 8.1: the norms of the minibatch gradients against the validation error (else the probe batch's).
  const validationErrors = records
    .filter((r) => r.type === "epoch" && typeof r.validationAccuracy === "number")
    .map((r) => 1 - (r.validationAccuracy as number));
  const [errors, errorName] = !classification
    ? [session.curvature.map((r) => r.loss), "probe-batch loss"]
    : validationErrors.length >= 2
      ? [validationErrors, "validation error"]
      : [session.curvature.map((r) => r.error ?? NaN), "probe-batch error"];
  const verdict = figure81Verdict(
    session.layers.map((r) => r.total),
    errors,
    { gradient: "minibatch ‖g‖", error: errorName },
    session.curvature.map((r) => r.gHg),
  );
  const summaryTable: [string, string][] = [
    [
      "model / dataset",
      `${config.model}${config.batchNorm ? " + batch norm" : ""} on ${config.dataset}, ${config.dtype}`,
    ],
    [
      "optimizer",
      `${typeof config.optimizer === "string" ? config.optimizer : JSON.stringify(config.optimizer)}, lr ` +
        `${resolved.lr}, batch ${batchSize}`,
    ],
    ["steps / epochs", `${result.steps} / ${result.epochs}`],
    ["task", classification ? "classification" : "regression"],
    classification
      ? ["test accuracy", result.test?.accuracy === undefined ? "n/a" : percent(result.test.accuracy)]
      : ["test loss (mean squared error)", result.test ? sig(result.test.loss) : "n/a"],
    [
      "monitors",
      `every ${every} steps on a probe batch of ${probe.labels.length} examples; spectrum at steps ` +
        `${spectrumSteps.join(", ")} (${lanczosSteps} Lanczos steps)`,
    ],
  ];
  const report = await diagnoseReport({
    title: `descent diagnose — ${config.model} on ${config.dataset}`,
    summary: summaryTable,
    epochs: records,
    curvature: session.curvature,
    layers: session.layers,
    spectra: session.spectra,
    verdict,
    noise: noiseResult,
    symmetry,
    recurrent: session.recurrent,
    classification,
  });
  if (noiseResult) lines.push({ type: "gradient-noise", ...noiseResult } as never);
  if (symmetry) lines.push({ type: "symmetry", ...symmetry } as never);
  writeFileAtomic(folder.path("diagnostics.jsonl"), lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  writeFileAtomic(folder.path("report.html"), report.html);
  for (const [name, svg] of Object.entries(report.charts)) writeFileAtomic(folder.path(`${name}.svg`), svg);
  writeFileAtomic(
    folder.path("config.json"),
    JSON.stringify({ ...resolved, monitorEvery: every, spectrumAt: spectrumSteps, lanczosSteps, probeSize }, null, 2) +
      "\n",
  );
  disposeTree([result.params, result.modelState]);

  const summary = {
    steps: result.steps,
    epochs: result.epochs,
    testAccuracy: result.test?.accuracy ?? null,
    figure81: { shown: verdict.shown, gradNorm: verdict.gradNorm, error: verdict.error, gHg: verdict.gHg },
    illConditioned: session.curvature.filter((r) => r.illConditioned).length,
    measurements: session.curvature.length,
    spectra: session.spectra.map(({ step, snapshot }) => ({
      step,
      top: snapshot.top.map((p) => p.value),
      bottom: snapshot.bottom.map((p) => p.value),
    })),
    seconds: Math.round(result.seconds * 1000) / 1000,
  };
  if (json) {
    process.stdout.write(JSON.stringify(summary) + "\n");
    return;
  }
  process.stdout.write(`${verdict.text}\n`);
  process.stdout.write(
    `ill-conditioned (½ε²gᵀHg > εgᵀg) at ${summary.illConditioned} of ${summary.measurements} measurements; wrote ` +
      `${join(config.out, "report.html")} and diagnostics.jsonl\n`,
  );
}
