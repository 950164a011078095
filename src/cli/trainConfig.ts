import { z } from "zod";

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
    optimizer: z.enum(["adam", "sgd", "momentum"]).default("adam"),
    lr: z.number().positive().optional(),
    schedule: z.enum(["constant", "linear", "cosine"]).default("cosine"),
    batchSize: z.number().int().positive().optional(),
    epochs: z.number().int().positive().optional(),
    seed: z.number().int().nonnegative().default(0),
    dtype: z.enum(["float32", "float64"]).default("float32"),
    sampling: z.enum(["shuffle-once", "reshuffle", "replacement"]).default("reshuffle"),
    validation: z.number().min(0).max(0.5).default(0.1),
    patience: z.number().int().positive().optional(),
    out: z.string().min(1).default("runs/latest"),
    resume: z.boolean().default(false),
    stopAfterSteps: z.number().int().positive().optional(),
  })
  .strict();

export type TrainConfig = z.infer<typeof trainConfigSchema>;

/** Per-model defaults that clear the acceptance bars on the bundled digits (see docs/training.md). */
export const modelDefaults = {
  mlp: { epochs: 20, batchSize: 128 },
  cnn: { epochs: 15, batchSize: 64 },
  rnn: { epochs: 15, batchSize: 64 },
} as const;

export const defaultLearningRate = { adam: 2e-3, sgd: 0.1, momentum: 0.01 } as const;

/** "batchSize: expected a positive integer" — the first problem, naming the field. */
export function describeZodError(error: z.ZodError, source: string): string {
  const issue = error.issues[0];
  const field = issue.path.join(".");
  if (issue.code === "unrecognized_keys") return `${source}: unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  return `${source}: "${field}" ${issue.message.replace(/^Invalid input: /, "")}`;
}
