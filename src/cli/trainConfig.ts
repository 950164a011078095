import { z } from "zod";
import {
  firstIssue,
  hyperparameterSchema,
  OPTIMIZER_NAMES,
  optimizerPreset,
  parseHyperparameters,
  scheduleSpecSchema,
} from "../optim/index.js";
import { defaultInitOf, MODEL_DEFAULTS } from "../nn/index.js";
import { definedOnly } from "./args.js";
import { defaultLearningRate, defaultSchedule, minibatchSolverDefaults, modelDefaults } from "./trainDefaults.js";
import { isMinibatchSolver, MINIBATCH_SOLVER_NAMES, minibatchSolverSchema } from "./trainSolvers.js";

/**
 * `optimizer`: a name (`book.adam`, `torch.SGD`, …) or `{"name": …, …hyperparameters}` with the keys
 * of `descent optimize --config` except the learning rate, which is the top-level `lr` and `schedule`.
 */
const optimizerChoice = z
  .union([z.string(), z.looseObject({ name: z.string() })])
  .default("adam")
  .superRefine((value, ctx) => {
    const { name, ...hyper } = typeof value === "string" ? { name: value } : value;
    if (isMinibatchSolver(name)) {
      for (const issue of minibatchSolverSchema(name).safeParse(hyper).error?.issues ?? [])
        ctx.addIssue(issue as never);
      return;
    }
    if (!OPTIMIZER_NAMES.includes(name)) {
      // "lbfgs" and "cg" name descent optimize's full-batch solvers; say which minibatch solver is meant.
      const minibatch = MINIBATCH_SOLVER_NAMES.find((m) => m === `minibatch-${name}`);
      const hint = minibatch
        ? `: the minibatch solver is "${minibatch}" ("${name}" is a full-batch solver of descent optimize)`
        : ` (one of ${[...OPTIMIZER_NAMES, ...MINIBATCH_SOLVER_NAMES].join(", ")})`;
      ctx.addIssue({
        code: "custom",
        path: typeof value === "string" ? [] : ["name"],
        message: `unknown optimizer "${name}"${hint}`,
      });
      return;
    }
    const keys = optimizerPreset(name).learningRateKeys.filter((k) => k in hyper);
    if (keys.length)
      ctx.addIssue({
        code: "custom",
        path: [keys[0]],
        message: `is set by the top-level "lr" and "schedule" in descent train`,
      });
    else {
      const parsed = hyperparameterSchema(name, { withoutLearningRate: true }).safeParse(hyper);
      for (const issue of parsed.error?.issues ?? []) ctx.addIssue(issue as never);
    }
  });

/** Every setting of `descent train`, as flags or as keys of `--config FILE` (flags win). */
export const trainConfigSchema = z
  .object({
    dataset: z.string().min(1).default("mnist"),
    /**
     * csv:PATH only: the label column (index, negative from the end, or header name), the task and the cell separator.
     */
    labelColumn: z.union([z.number().int(), z.string().min(1)]).optional(),
    task: z.enum(["classification", "regression"]).optional(),
    delimiter: z.string().min(1).optional(),
    model: z.enum(["mlp", "cnn", "rnn"]).default("mlp"),
    width: z.number().int().positive().optional(),
    depth: z.number().int().positive().optional(),
    activation: z.enum(["relu", "tanh", "sigmoid", "softplus"]).optional(),
    init: z.enum(["glorot", "he", "orthogonal", "sparse", "normal"]).optional(),
    batchNorm: z.boolean().default(false),
    optimizer: optimizerChoice,
    lr: z.number().positive().optional(),
    /**
     * The learning rate's schedule: a name or a spec object; default
     * per optimizer (cosine; eq. 8.14's linear decay for book.sgd).
     */
    schedule: z.union([z.enum(["constant", "linear", "cosine"]), scheduleSpecSchema]).optional(),
    clipNorm: z.number().positive().optional(),
    clipValue: z.number().positive().optional(),
    clipTensorNorm: z.number().positive().optional(),
    weightDecay: z.number().nonnegative().optional(),
    decoupledWeightDecay: z.number().nonnegative().optional(),
    /** Apply --weight-decay / decoupledWeightDecay to biases and batch-norm γ/β too (default: weights only). */
    decayBiasAndNorm: z.boolean().default(false),
    average: z.enum(["none", "uniform", "exponential"]).default("none"),
    averageDecay: z.number().min(0).lt(1).optional(),
    skipNonFinite: z.boolean().default(false),
    /** 8.4: rescale each layer to unit activation std on one minibatch. */
    dataInit: z.boolean().default(false),
    /** 8.4: start the output bias at the log class frequencies of the training labels. */
    outputBias: z.boolean().default(false),
    batchSize: z.number().int().positive().optional(),
    epochs: z.number().int().positive().optional(),
    seed: z.number().int().nonnegative().default(0),
    dtype: z.enum(["float32", "float64", "float64-fast"]).default("float32"),
    sampling: z.enum(["shuffle-once", "reshuffle", "replacement"]).default("reshuffle"),
    validation: z.number().min(0).max(0.5).default(0.1),
    patience: z.number().int().positive().optional(),
    out: z.string().min(1).default("runs/latest"),
    resume: z.boolean().default(false),
    stopAfterSteps: z.number().int().positive().optional(),
  })
  .strict();

export type TrainConfig = z.infer<typeof trainConfigSchema>;

/** The optimizer's name and its hyperparameters (without the learning rate), validated by the schema above. */
export function optimizerOf(config: TrainConfig): { name: string; hyperparameters: Record<string, unknown> } {
  const { name, ...hyper } = typeof config.optimizer === "string" ? { name: config.optimizer } : config.optimizer;
  if (isMinibatchSolver(name)) return { name, hyperparameters: hyper };
  return { name, hyperparameters: parseHyperparameters(name, hyper, { withoutLearningRate: true }) };
}

/** Settings that steer one session of a run (where, whether to resume, when to stop), not the run itself. */
export const RUN_CONTROL_KEYS = ["out", "resume", "stopAfterSteps"] as const;

/**
 * The config with every default filled in (epochs, batch size, rate, schedule, architecture): what the
 * run really uses, stored in the checkpoint so a resume can compare settings given again with it.
 */
export function resolveDefaults(config: TrainConfig) {
  const name = optimizerOf(config).name;
  const defaults = isMinibatchSolver(name)
    ? minibatchSolverDefaults
    : { ...modelDefaults[config.model], lr: defaultLearningRate(name), schedule: defaultSchedule(name) };
  const architecture: { width?: number; depth?: number; activation?: TrainConfig["activation"] } = {
    ...MODEL_DEFAULTS[config.model],
    ...definedOnly({ width: config.width, depth: config.depth, activation: config.activation }),
  };
  return {
    ...config,
    ...architecture,
    init: defaultInitOf(config.model, { init: config.init, activation: architecture.activation }),
    epochs: config.epochs ?? defaults.epochs,
    batchSize: config.batchSize ?? defaults.batchSize,
    lr: config.lr ?? defaults.lr,
    schedule: config.schedule ?? defaults.schedule,
  };
}

export type ResolvedConfig = ReturnType<typeof resolveDefaults>;

/** "batchSize: expected a positive integer" — the first problem, naming the field. */
export function describeZodError(error: z.ZodError, source: string): string {
  return `${source}: ${firstIssue(error).message}`;
}
