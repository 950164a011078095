import { readFileSync } from "node:fs";
import { Command, Option } from "commander";
import { precisionOf, random, startEngine } from "../engine/index.js";
import { parseDatasetSpec, validationSplit } from "../data/index.js";
import { buildModel } from "../nn/index.js";
import { composeOptimizer, learningRate, OPTIMIZER_NAMES } from "../optim/index.js";
import { percent, sig } from "../report/format.js";
import { trainReport } from "../report/trainReport.js";
import { closureOptimizer, train, type MetricsRecord, type TrainOptions, type TrainResult } from "../train/index.js";
import { writeFileAtomic } from "../io/atomic.js";
import { describeFsError, RunFolder, RunFolderError } from "../io/runFolder.js";
import { definedOnly, integerArg, numberArg } from "./args.js";
import { readJsonObject } from "./configFile.js";
import { UserError } from "./errors.js";
import { initializationHeuristics } from "./initHeuristics.js";
import { abortOnSignals, Interrupted } from "./interrupt.js";
import { progressCallbacks, progressModeOf } from "./progress.js";
import { resumedConfig, storedSettings } from "./resumeConfig.js";
import { MINIBATCH_SOLVER_NAMES, minibatchSolverFor } from "./trainSolvers.js";
import {
  describeZodError,
  optimizerOf,
  resolveDefaults,
  trainConfigSchema,
  type ResolvedConfig,
  type TrainConfig,
} from "./trainConfig.js";

export function trainCommand(): Command {
  return new Command("train")
    .description(
      "train a network on the bundled MNIST digits (or another dataset) and write metrics, a checkpoint and a report",
    )
    .option("--config <file>", "JSON file with any of the settings below (flags override it)")
    .option("--dataset <spec>", "mnist | idx:PATH | csv:PATH | spirals | blobs | adding | regression")
    .option(
      "--label-column <n|name>",
      "csv: the label column, an index (negative from the end) or a header name (default: a column named label, " +
        "class, target or y, else the last)",
      (v: string) => (/^[+-]?\d+$/.test(v.trim()) ? integerArg(v) : v),
    )
    .addOption(
      new Option(
        "--task <task>",
        "csv: what the labels are (default: class indices 0..K-1 → classification, fractional → regression)",
      ).choices(["classification", "regression"]),
    )
    .option("--delimiter <c>", "csv: the cell separator (default ,)")
    .addOption(new Option("--model <name>", "network").choices(["mlp", "cnn", "rnn"]))
    .option("--width <n>", "hidden width (mlp, rnn) or first conv channels (cnn)", integerArg)
    .option("--depth <n>", "hidden layers (mlp)", integerArg)
    .addOption(new Option("--activation <name>").choices(["relu", "tanh", "sigmoid", "softplus"]))
    .addOption(
      new Option("--init <name>", "weight initialization (8.4)").choices([
        "glorot",
        "he",
        "orthogonal",
        "sparse",
        "normal",
      ]),
    )
    .option("--batch-norm", "batch normalization after each hidden layer (8.7.1)")
    .option("--data-init", "rescale each layer to unit activation std on one minibatch (8.4)")
    .option("--output-bias", "start the output bias at the log class frequencies (8.4)")
    .addOption(
      new Option(
        "--optimizer <name>",
        'optimizer (hyperparameters: {"optimizer": {"name": …}} in --config; docs/optimizers.md)',
      ).choices([...OPTIMIZER_NAMES, ...MINIBATCH_SOLVER_NAMES]),
    )
    .option("--lr <rate>", "learning rate (initial, when scheduled)", numberArg)
    .addOption(
      new Option(
        "--schedule <name>",
        "learning-rate schedule (default cosine; linear decay of eq. 8.14 for book.sgd)",
      ).choices(["constant", "linear", "cosine"]),
    )
    .option("--clip-norm <c>", "clip the gradient's global norm to c (8.2.4)", numberArg)
    .option(
      "--weight-decay <λ>",
      "L2 weight decay added to the gradient (coupled); weights only: biases and batch-norm γ/β are not decayed",
      numberArg,
    )
    .option(
      "--decay-bias-and-norm",
      "apply the weight decay to biases and batch-norm γ/β too (a torch.* optimizer's own weight_decay always " +
        "applies to every parameter, as in PyTorch)",
    )
    .addOption(
      new Option("--average <kind>", "Polyak averaging of the iterates, evaluated instead of θ (8.7.3)").choices([
        "none",
        "uniform",
        "exponential",
      ]),
    )
    .option("--batch-size <n>", "minibatch size", integerArg)
    .option("--epochs <n>", "passes over the training set", integerArg)
    .option("--seed <n>", "seed of initialization, split and batch order", integerArg)
    .addOption(
      new Option(
        "--dtype <dtype>",
        "float32 (Wasm, default); float64 (exact, on Wasm: exp/log/tanh within 1 ulp; slower than float32); " +
          "float64-fast (former name of float64 on Wasm, now an alias of float64)",
      ).choices(["float32", "float64-fast", "float64"]),
    )
    .addOption(
      new Option("--sampling <regime>", "minibatch regime (8.1.3)").choices([
        "shuffle-once",
        "reshuffle",
        "replacement",
      ]),
    )
    .option("--validation <fraction>", "fraction of the training set held out for validation", numberArg)
    .option("--patience <epochs>", "early stopping: epochs without validation improvement", integerArg)
    .option("--out <dir>", "output directory (metrics.jsonl, checkpoint.safetensors, report.html)")
    .option("--resume", "continue the run in <out> with its own settings (--epochs may be raised to extend it)")
    .addOption(
      new Option("--stop-after-steps <n>", "stop after n steps in total, checkpointing (resume continues)")
        .argParser(integerArg)
        .hideHelp(),
    )
    .option("--json", "print one JSON summary line on stdout and nothing else")
    .action(async (flags) => runTrain(flags, Boolean(flags.json)));
}

/** The settings the user gave: the --config file's keys, then the flags (unset flags do not count). */
export function givenSettings(flags: Record<string, unknown>): Record<string, unknown> {
  const fromFile = typeof flags.config === "string" ? readJsonObject(flags.config) : {};
  const { config: _c, json: _j, ...rest } = flags;
  return { ...fromFile, ...definedOnly(rest) };
}

export function resolveConfig(flags: Record<string, unknown>): TrainConfig {
  const parsed = trainConfigSchema.safeParse(givenSettings(flags));
  if (!parsed.success)
    throw new UserError(
      describeZodError(parsed.error, typeof flags.config === "string" ? `config ${flags.config}` : "train"),
    );
  return parsed.data;
}

/**
 * The configured optimizer: a named one with its learning-rate schedule, clipping, weight decay, averaging and guard.
 */
function buildOptimizer(config: ResolvedConfig, totalSteps: number) {
  const { name, hyperparameters } = optimizerOf(config);
  try {
    const lr = learningRate(config.lr, config.schedule, { totalSteps });
    const {
      clipNorm,
      clipValue,
      clipTensorNorm,
      weightDecay,
      decoupledWeightDecay,
      average,
      averageDecay,
      skipNonFinite,
    } = config;
    const weightDecayMask = config.decayBiasAndNorm ? "all" : undefined;
    return composeOptimizer(
      {
        name,
        hyperparameters,
        lr,
        clipNorm,
        clipValue,
        clipTensorNorm,
        weightDecay,
        decoupledWeightDecay,
        weightDecayMask,
        average,
        averageDecay,
        skipNonFinite,
      },
      { totalSteps },
    );
  } catch (error) {
    throw new UserError(`optimizer ${name}: ${(error as Error).message}`);
  }
}

/** The pieces of a training run, from a resolved config (shared with `descent diagnose`). */
export async function prepareTraining(config: TrainConfig) {
  const resolved = resolveDefaults(config);
  const { epochs, batchSize } = resolved;
  if (config.patience !== undefined && !(config.validation > 0))
    throw new UserError(`--patience ${config.patience} needs a validation set to watch: set --validation above 0`);
  await startEngine();
  const precision = precisionOf(config.dtype);
  let splits;
  try {
    splits = parseDatasetSpec(config.dataset, config.seed, {
      labelColumn: config.labelColumn,
      task: config.task,
      delimiter: config.delimiter,
    });
  } catch (error) {
    throw new UserError(`--dataset ${config.dataset}: ${(error as Error).message}`);
  }
  const { train: trainSet, validation } =
    config.validation > 0
      ? validationSplit(splits.train, config.validation, random.foldIn(random.randomKey(config.seed), 0x76))
      : { train: splits.train, validation: undefined };
  if (validation?.size === 0 || trainSet.size === 0)
    throw new UserError(
      `--validation ${config.validation} of ${splits.train.size} training examples leaves ${validation?.size ?? 0} ` +
        `for validation and ${trainSet.size} for training: choose another fraction, or --validation 0`,
    );
  const outputs = trainSet.numClasses > 0 ? trainSet.numClasses : trainSet.yShape.reduce((a, b) => a * b, 1);
  let model;
  try {
    model = buildModel(config.model, outputs, trainSet.xShape, config);
  } catch (error) {
    throw new UserError((error as Error).message);
  }
  const stepsPerEpoch = Math.ceil(trainSet.size / batchSize);
  const solver = minibatchSolverFor(resolved);
  const optimizer = solver ? closureOptimizer(solver) : buildOptimizer(resolved, stepsPerEpoch * epochs);
  // After the optimizer's own checks, so a setting it refuses is named first.
  if (batchSize > trainSet.size)
    throw new UserError(`--batch-size ${batchSize} is larger than the ${trainSet.size} training examples`);
  let initialize;
  try {
    initialize = initializationHeuristics(config, model, trainSet, precision);
  } catch (error) {
    throw new UserError((error as Error).message);
  }
  return {
    resolved,
    precision,
    splits,
    trainSet,
    validation,
    model,
    outputs,
    optimizer,
    epochs,
    batchSize,
    stepsPerEpoch,
    initialize,
  };
}

type PreparedTraining = Awaited<ReturnType<typeof prepareTraining>>;

/** The Trainer options `train` and `diagnose` share; each adds its own callbacks (and resume). */
export function trainerOptions(
  run: PreparedTraining,
  config: TrainConfig,
  paths: { checkpointPath: string; metricsPath: string },
): TrainOptions {
  return {
    model: run.model,
    train: run.trainSet,
    validation: run.validation,
    test: run.splits.test,
    optimizer: run.optimizer,
    epochs: run.epochs,
    batchSize: run.batchSize,
    seed: config.seed,
    precision: run.precision,
    sampling: config.sampling,
    earlyStopping: config.patience ? { patience: config.patience } : undefined,
    stopAfterSteps: config.stopAfterSteps,
    initialize: run.initialize,
    ...paths,
  };
}

/**
 * One session of a run: takes the --out folder (lock; a fresh run writes in <out>/unfinished until it
 * ends), trains, writes the report and moves the finished run's files into place (docs/reliability.md).
 */
async function runTrain(flags: Record<string, unknown>, json: boolean): Promise<void> {
  const given = givenSettings(flags);
  const session = resolveConfig(flags);
  const folder = RunFolder.open(session.out, session.resume);
  try {
    const config = session.resume ? resumedConfig(given, folder.path("checkpoint.safetensors")) : session;
    await trainInFolder(config, folder, json);
  } catch (error) {
    if (!(error instanceof Interrupted)) folder.discard();
    const fsFault = describeFsError(error, "write");
    throw fsFault ? new RunFolderError(fsFault) : error;
  } finally {
    folder.release();
  }
}

/** Trains into the folder's files and commits them when the run ended (completed or stopped early). */
async function trainInFolder(config: TrainConfig, folder: RunFolder, json: boolean): Promise<void> {
  const run = await prepareTraining(config);
  const { resolved } = run;
  const checkpointPath = folder.path("checkpoint.safetensors");
  const metricsPath = folder.path("metrics.jsonl");

  const progress = progressCallbacks(progressModeOf());
  const signals = abortOnSignals(() => progress.stop());
  let result: TrainResult;
  try {
    result = await train({
      ...trainerOptions(run, config, { checkpointPath, metricsPath }),
      resumeFrom: config.resume ? checkpointPath : undefined,
      // The input shape and outputs let train.loadModel rebuild the network without the dataset.
      config: { ...storedSettings(resolved), inputShape: run.trainSet.xShape, outputs: run.outputs },
      signal: signals.signal,
      callbacks: progress,
    });
  } finally {
    progress.stop();
    signals.dispose();
  }

  const summary = {
    testAccuracy: result.test?.accuracy ?? null,
    testLoss: result.test?.loss ?? null,
    trainLoss: result.trainLoss,
    epochs: result.epochs,
    steps: result.steps,
    seconds: round(result.seconds, 3),
    examplesPerSecond: round(result.examplesPerSecond, 1),
  };
  const records = readFileSync(metricsPath, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as MetricsRecord);
  const classification = run.trainSet.numClasses > 0;
  const report = await trainReport(
    `descent train — ${config.model} on ${config.dataset}`,
    reportSummary(resolved, summary, result, classification),
    records,
    { classification },
  );
  writeFileAtomic(folder.path("report.html"), report.html);
  for (const [name, svg] of Object.entries(report.charts)) writeFileAtomic(folder.path(`${name}.svg`), svg);
  writeFileAtomic(folder.path("config.json"), JSON.stringify(resolved, null, 2) + "\n");
  const continueWith = `descent train --out ${config.out} --resume`;
  if (signals.received() && result.interrupted)
    throw new Interrupted(
      `interrupted by ${signals.received()} after ${result.steps} steps; the checkpoint is in ${checkpointPath}; ` +
        `continue with: ${continueWith}`,
    );
  assertSomethingLearned(result);
  if (!result.interrupted) {
    // The --json summary stays with the finished run: a sweep that lost its journal row reads it back, not reruns.
    writeFileAtomic(folder.path("summary.json"), JSON.stringify(summary) + "\n");
    folder.commit();
  }
  const where = (file: "metrics.jsonl" | "checkpoint.safetensors" | "report.html") =>
    result.interrupted ? folder.path(file) : `${config.out}/${file}`;

  if (json) {
    process.stdout.write(JSON.stringify(summary) + "\n");
    return;
  }
  const acc = summary.testAccuracy === null ? "" : `test accuracy ${(summary.testAccuracy * 100).toFixed(2)}%, `;
  const status = result.interrupted
    ? ` (stopped after ${result.steps} steps; continue with: ${continueWith})`
    : result.stoppedEarly
      ? " (early stopping)"
      : "";
  process.stdout.write(
    `${acc}test loss ${summary.testLoss?.toFixed(4) ?? "n/a"} after ${result.epochs} epochs, ${result.steps} steps ` +
      `in ${summary.seconds} s${status}\n`,
  );
  process.stdout.write(
    `wrote ${where("metrics.jsonl")}, ${where("checkpoint.safetensors")}, ${where("report.html")}\n`,
  );
}

/** A run whose optimizer skipped most updates (skipNonFinite) has not trained: say so instead of exiting 0. */
function assertSomethingLearned(result: TrainResult): void {
  const skipped = result.skippedUpdates ?? 0;
  if (skipped > 0 && skipped * 2 > result.steps) {
    throw new UserError(
      `${skipped} of ${result.steps} updates were skipped for a non-finite gradient (skipNonFinite); the model did ` +
        `not train: lower the learning rate or check the data`,
    );
  }
  if (!result.interrupted && !Number.isFinite(result.trainLoss))
    throw new UserError(`the final train loss is ${result.trainLoss}; the model did not train`);
}

const describe = (setting: unknown) => (typeof setting === "string" ? setting : JSON.stringify(setting));

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

function reportSummary(
  config: ResolvedConfig,
  summary: Record<string, unknown>,
  result: TrainResult,
  classification: boolean,
): [string, string][] {
  return [
    ["task", classification ? "classification" : "regression"],
    ["model", `${config.model}${config.batchNorm ? " + batch norm" : ""}`],
    ["dataset", config.dataset],
    [
      "optimizer",
      `${describe(config.optimizer)}, lr ${config.lr} (${describe(config.schedule)}), batch ${config.batchSize}`,
    ],
    ["epochs / steps", `${result.epochs} / ${result.steps}`],
    ...(classification
      ? ([["test accuracy", summary.testAccuracy === null ? "n/a" : percent(summary.testAccuracy as number)]] as [
          string,
          string,
        ][])
      : []),
    [
      classification ? "test loss (cross-entropy)" : "test loss (mean squared error)",
      summary.testLoss === null ? "n/a" : sig(summary.testLoss as number),
    ],
    ["time", `${summary.seconds} s (${summary.examplesPerSecond} examples/s)`],
    ["seed / dtype", `${config.seed} / ${config.dtype}`],
  ];
}
