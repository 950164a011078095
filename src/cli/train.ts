import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Command, Option } from "commander";
import { precisionOf, random, startEngine } from "../engine/index.js";
import { parseDatasetSpec, validationSplit } from "../data/index.js";
import { buildModel } from "../nn/index.js";
import { composeOptimizer, learningRate, OPTIMIZER_NAMES } from "../optim/index.js";
import { trainReport } from "../report/trainReport.js";
import { closureOptimizer, train, type MetricsRecord, type TrainOptions, type TrainResult } from "../train/index.js";
import { writeFileAtomic } from "../io/atomic.js";
import { readSafetensors } from "../io/safetensors.js";
import { definedOnly, integerArg, numberArg } from "./args.js";
import { readJsonObject } from "./configFile.js";
import { UserError } from "./errors.js";
import { initializationHeuristics } from "./initHeuristics.js";
import { progressCallbacks } from "./progress.js";
import { isMinibatchSolver, MINIBATCH_SOLVER_NAMES, minibatchSolverFor } from "./trainSolvers.js";
import { describeZodError, optimizerOf, trainConfigSchema, type TrainConfig } from "./trainConfig.js";
import { defaultLearningRate, defaultSchedule, minibatchSolverDefaults, modelDefaults } from "./trainDefaults.js";

export function trainCommand(): Command {
  return new Command("train")
    .description("train a network on the bundled MNIST digits (or another dataset) and write metrics, a checkpoint and a report")
    .option("--config <file>", "JSON file with any of the settings below (flags override it)")
    .option("--dataset <spec>", "mnist | idx:PATH | csv:PATH | spirals | blobs | adding | regression")
    .addOption(new Option("--model <name>", "network").choices(["mlp", "cnn", "rnn"]))
    .option("--width <n>", "hidden width (mlp, rnn) or first conv channels (cnn)", integerArg)
    .option("--depth <n>", "hidden layers (mlp)", integerArg)
    .addOption(new Option("--activation <name>").choices(["relu", "tanh", "sigmoid", "softplus"]))
    .addOption(new Option("--init <name>", "weight initialization (8.4)").choices(["glorot", "he", "orthogonal", "sparse", "normal"]))
    .option("--batch-norm", "batch normalization after each hidden layer (8.7.1)")
    .option("--data-init", "rescale each layer to unit activation std on one minibatch (8.4)")
    .option("--output-bias", "start the output bias at the log class frequencies (8.4)")
    .addOption(new Option("--optimizer <name>", "optimizer (hyperparameters: {\"optimizer\": {\"name\": …}} in --config; docs/optimizers.md)").choices([...OPTIMIZER_NAMES, ...MINIBATCH_SOLVER_NAMES]))
    .option("--lr <rate>", "learning rate (initial, when scheduled)", numberArg)
    .addOption(new Option("--schedule <name>", "learning-rate schedule (default cosine; linear decay of eq. 8.14 for book.sgd)").choices(["constant", "linear", "cosine"]))
    .option("--clip-norm <c>", "clip the gradient's global norm to c (8.2.4)", numberArg)
    .option("--weight-decay <λ>", "L2 weight decay added to the gradient (coupled)", numberArg)
    .addOption(new Option("--average <kind>", "Polyak averaging of the iterates, evaluated instead of θ (8.7.3)").choices(["none", "uniform", "exponential"]))
    .option("--batch-size <n>", "minibatch size", integerArg)
    .option("--epochs <n>", "passes over the training set", integerArg)
    .option("--seed <n>", "seed of initialization, split and batch order", integerArg)
    .addOption(new Option("--dtype <dtype>", "float32 (Wasm, default); float64-fast (float64 on Wasm: exact +, ×, matmul; exp/log/tanh to ~1e-7); float64 (exact, jax-js cpu device: ~100-300× slower, small models only)").choices(["float32", "float64-fast", "float64"]))
    .addOption(new Option("--sampling <regime>", "minibatch regime (8.1.3)").choices(["shuffle-once", "reshuffle", "replacement"]))
    .option("--validation <fraction>", "fraction of the training set held out for validation", numberArg)
    .option("--patience <epochs>", "early stopping: epochs without validation improvement", integerArg)
    .option("--out <dir>", "output directory (metrics.jsonl, checkpoint.safetensors, report.html)")
    .option("--resume", "continue from <out>/checkpoint.safetensors")
    .addOption(new Option("--stop-after-steps <n>", "stop after n steps in total, checkpointing (resume continues)").argParser(integerArg).hideHelp())
    .option("--json", "print one JSON summary line on stdout and nothing else")
    .action(async (flags) => {
      const config = resolveConfig(flags);
      await runTrain(config, Boolean(flags.json));
    });
}

export function resolveConfig(flags: Record<string, unknown>): TrainConfig {
  const fromFile = typeof flags.config === "string" ? readJsonObject(flags.config) : {};
  const { config: _c, json: _j, ...rest } = flags;
  const parsed = trainConfigSchema.safeParse({ ...fromFile, ...definedOnly(rest) });
  if (!parsed.success) throw new UserError(describeZodError(parsed.error, typeof flags.config === "string" ? `config ${flags.config}` : "train"));
  return parsed.data;
}

// Settings a resumed run must share with the run that wrote the checkpoint.
const RESUME_FIXED: (keyof TrainConfig)[] = [
  ...["dataset", "model", "width", "depth", "activation", "init", "batchNorm", "optimizer", "lr", "schedule", "batchSize", "epochs", "seed", "dtype", "sampling", "validation", "dataInit", "outputBias"] as const,
  ...["clipNorm", "clipValue", "clipTensorNorm", "weightDecay", "decoupledWeightDecay", "average", "averageDecay", "skipNonFinite"] as const,
];

/** The configured optimizer: a named one with its learning-rate schedule, clipping, weight decay, averaging and guard. */
function buildOptimizer(config: TrainConfig & { lr: number; schedule: NonNullable<TrainConfig["schedule"]> }, totalSteps: number) {
  const { name, hyperparameters } = optimizerOf(config);
  try {
    const lr = learningRate(config.lr, config.schedule, { totalSteps });
    const { clipNorm, clipValue, clipTensorNorm, weightDecay, decoupledWeightDecay, average, averageDecay, skipNonFinite } = config;
    return composeOptimizer({ name, hyperparameters, lr, clipNorm, clipValue, clipTensorNorm, weightDecay, decoupledWeightDecay, average, averageDecay, skipNonFinite }, { totalSteps });
  } catch (error) {
    throw new UserError(`optimizer ${name}: ${(error as Error).message}`);
  }
}

/** The pieces of a training run, from a resolved config (shared with `descent diagnose`). */
export async function prepareTraining(config: TrainConfig) {
  const optimizerName = optimizerOf(config).name;
  const defaults = isMinibatchSolver(optimizerName) ? minibatchSolverDefaults : { ...modelDefaults[config.model], lr: defaultLearningRate(optimizerName), schedule: defaultSchedule(optimizerName) };
  const epochs = config.epochs ?? defaults.epochs;
  const batchSize = config.batchSize ?? defaults.batchSize;
  const resolved = { ...config, epochs, batchSize, lr: config.lr ?? defaults.lr, schedule: config.schedule ?? defaults.schedule };
  await startEngine();
  const precision = precisionOf(config.dtype);
  let splits;
  try {
    splits = parseDatasetSpec(config.dataset, config.seed);
  } catch (error) {
    throw new UserError(`--dataset ${config.dataset}: ${(error as Error).message}`);
  }
  const { train: trainSet, validation } = config.validation > 0 ? validationSplit(splits.train, config.validation, random.foldIn(random.randomKey(config.seed), 0x76)) : { train: splits.train, validation: undefined };
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
  let initialize;
  try {
    initialize = initializationHeuristics(config, model, trainSet, precision);
  } catch (error) {
    throw new UserError((error as Error).message);
  }
  return { resolved, precision, splits, trainSet, validation, model, optimizer, epochs, batchSize, stepsPerEpoch, initialize };
}

type PreparedTraining = Awaited<ReturnType<typeof prepareTraining>>;

/** The Trainer options `train` and `diagnose` share; each adds its own callbacks (and resume). */
export function trainerOptions(run: PreparedTraining, config: TrainConfig, paths: { checkpointPath: string; metricsPath: string }): TrainOptions {
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

async function runTrain(config: TrainConfig, json: boolean): Promise<void> {
  const run = await prepareTraining(config);
  const { resolved } = run;

  mkdirSync(config.out, { recursive: true });
  const checkpointPath = join(config.out, "checkpoint.safetensors");
  const metricsPath = join(config.out, "metrics.jsonl");
  const fixed = Object.fromEntries(RESUME_FIXED.map((k) => [k, resolved[k] ?? null]));
  if (config.resume) assertResumable(fixed, checkpointPath);

  const progress = progressCallbacks(!json && Boolean(process.stderr.isTTY));
  const logEpochs = !json && !process.stderr.isTTY;
  let result: TrainResult;
  try {
    result = await train({
      ...trainerOptions(run, config, { checkpointPath, metricsPath }),
      resumeFrom: config.resume ? checkpointPath : undefined,
      config: fixed,
      callbacks: {
        ...progress,
        onEpochEnd: (r) => logEpochs && process.stderr.write(`epoch ${r.epoch}: ${formatRecord(r)}\n`),
      },
    });
  } finally {
    progress.stop();
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
  const records = readFileSync(metricsPath, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as MetricsRecord);
  const html = await trainReport(`descent train — ${config.model} on ${config.dataset}`, reportSummary(resolved, summary, result), records);
  writeFileAtomic(join(config.out, "report.html"), html);
  writeFileAtomic(join(config.out, "config.json"), JSON.stringify(resolved, null, 2) + "\n");

  if (json) {
    process.stdout.write(JSON.stringify(summary) + "\n");
    return;
  }
  const acc = summary.testAccuracy === null ? "" : `test accuracy ${(summary.testAccuracy * 100).toFixed(2)}%, `;
  const status = result.interrupted ? ` (stopped after ${result.steps} steps; --resume continues)` : result.stoppedEarly ? " (early stopping)" : "";
  process.stdout.write(`${acc}test loss ${summary.testLoss?.toFixed(4) ?? "n/a"} after ${result.epochs} epochs, ${result.steps} steps in ${summary.seconds} s${status}\n`);
  process.stdout.write(`wrote ${metricsPath}, ${checkpointPath}, ${join(config.out, "report.html")}\n`);
}

/** --resume needs a checkpoint written with the same settings (those in RESUME_FIXED). */
function assertResumable(fixed: Record<string, unknown>, checkpointPath: string): void {
  if (!existsSync(checkpointPath)) throw new UserError(`--resume: no checkpoint at ${checkpointPath}`);
  let stored: Record<string, unknown> | undefined;
  try {
    const { config } = readSafetensors(checkpointPath).metadata;
    stored = config ? JSON.parse(config) : undefined;
  } catch {
    throw new UserError(`--resume: ${checkpointPath} is not a readable checkpoint`);
  }
  if (!stored) return;
  const differing = Object.keys(fixed).filter((k) => JSON.stringify(stored![k] ?? null) !== JSON.stringify(fixed[k]));
  if (differing.length) {
    throw new UserError(`--resume: the checkpoint was written with different settings (${differing.map((k) => `${k}: ${JSON.stringify(stored![k])} there, ${JSON.stringify(fixed[k])} here`).join("; ")})`);
  }
}

const describe = (setting: unknown) => (typeof setting === "string" ? setting : JSON.stringify(setting));

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

function formatRecord(r: MetricsRecord): string {
  const parts = [`train loss ${(r.trainLoss as number).toFixed(4)}`];
  if (typeof r.validationLoss === "number") parts.push(`validation loss ${r.validationLoss.toFixed(4)}`);
  if (typeof r.validationAccuracy === "number") parts.push(`validation accuracy ${(r.validationAccuracy * 100).toFixed(2)}%`);
  return parts.join(", ");
}

function reportSummary(config: TrainConfig & { epochs: number; batchSize: number; schedule: NonNullable<TrainConfig["schedule"]> }, summary: Record<string, unknown>, result: TrainResult): [string, string][] {
  return [
    ["model", `${config.model}${config.batchNorm ? " + batch norm" : ""}`],
    ["dataset", config.dataset],
    ["optimizer", `${describe(config.optimizer)}, lr ${config.lr} (${describe(config.schedule)}), batch ${config.batchSize}`],
    ["epochs / steps", `${result.epochs} / ${result.steps}`],
    ["test accuracy", summary.testAccuracy === null ? "n/a" : `${((summary.testAccuracy as number) * 100).toFixed(2)}%`],
    ["test loss", String(summary.testLoss)],
    ["time", `${summary.seconds} s (${summary.examplesPerSecond} examples/s)`],
    ["seed / dtype", `${config.seed} / ${config.dtype}`],
  ];
}
