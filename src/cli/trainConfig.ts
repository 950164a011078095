import { z } from "zod";
import { firstIssue, hyperparameterSchema, OPTIMIZER_NAMES, optimizerPreset, parseHyperparameters, scheduleSpecSchema } from "../optim/index.js";
import { isMinibatchSolver, MINIBATCH_SOLVER_NAMES, minibatchSolverIssues } from "./trainSolvers.js";

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
      for (const issue of minibatchSolverIssues(name, hyper)) ctx.addIssue({ code: "custom", ...issue });
      return;
    }
    if (!OPTIMIZER_NAMES.includes(name)) {
      ctx.addIssue({ code: "custom", path: typeof value === "string" ? [] : ["name"], message: `unknown optimizer "${name}" (one of ${[...OPTIMIZER_NAMES, ...MINIBATCH_SOLVER_NAMES].join(", ")})` });
      return;
    }
    const keys = optimizerPreset(name).learningRateKeys.filter((k) => k in hyper);
    if (keys.length) ctx.addIssue({ code: "custom", path: [keys[0]], message: `is set by the top-level "lr" and "schedule" in descent train` });
    else {
      const parsed = hyperparameterSchema(name, { withoutLearningRate: true }).safeParse(hyper);
      for (const issue of parsed.error?.issues ?? []) ctx.addIssue(issue as never);
    }
  });

/** Every setting of `descent train`, as flags or as keys of `--config FILE` (flags win). */
export const trainConfigSchema = z
  .object({
    dataset: z.string().min(1).default("mnist"),
    model: z.enum(["mlp", "cnn", "rnn"]).default("mlp"),
    width: z.number().int().positive().optional(),
    depth: z.number().int().positive().optional(),
    activation: z.enum(["relu", "tanh", "sigmoid", "softplus"]).optional(),
    init: z.enum(["glorot", "he", "orthogonal", "sparse", "normal"]).optional(),
    batchNorm: z.boolean().default(false),
    optimizer: optimizerChoice,
    lr: z.number().positive().optional(),
    /** The learning rate's schedule: a name or a spec object; default per optimizer (cosine; eq. 8.14's linear decay for book.sgd). */
    schedule: z.union([z.enum(["constant", "linear", "cosine"]), scheduleSpecSchema]).optional(),
    clipNorm: z.number().positive().optional(),
    clipValue: z.number().positive().optional(),
    clipTensorNorm: z.number().positive().optional(),
    weightDecay: z.number().nonnegative().optional(),
    decoupledWeightDecay: z.number().nonnegative().optional(),
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

/** "batchSize: expected a positive integer" — the first problem, naming the field. */
export function describeZodError(error: z.ZodError, source: string): string {
  return `${source}: ${firstIssue(error).message}`;
}
