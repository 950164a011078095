/**
 * `descent train`'s defaults: per model (epochs, batch size) and per optimizer (rate and schedule),
 * measured on the bundled digits (docs/training.md). The optimizers themselves know nothing of them.
 */
export const modelDefaults = {
  mlp: { epochs: 20, batchSize: 128 },
  cnn: { epochs: 15, batchSize: 64 },
  rnn: { epochs: 15, batchSize: 64 },
} as const;

type RateDefault = { lr: number; schedule: "constant" | "linear" | "cosine" };

const optimizerDefaults: Readonly<Record<string, RateDefault>> = {
  "book.sgd": { lr: 0.3, schedule: "linear" },
  "book.momentum": { lr: 0.05, schedule: "cosine" },
  "book.nesterov": { lr: 0.05, schedule: "cosine" },
  "book.adagrad": { lr: 0.01, schedule: "cosine" },
  "book.rmsprop": { lr: 0.001, schedule: "cosine" },
  "book.rmsprop_nesterov": { lr: 0.001, schedule: "cosine" },
  "book.adam": { lr: 0.002, schedule: "cosine" },
  "book.polyak_uniform": { lr: 0.3, schedule: "constant" },
  "book.polyak_exponential": { lr: 0.3, schedule: "constant" },
  "torch.SGD": { lr: 0.3, schedule: "cosine" },
  "torch.Adagrad": { lr: 0.01, schedule: "cosine" },
  "torch.RMSprop": { lr: 0.001, schedule: "cosine" },
  "torch.Adam": { lr: 0.002, schedule: "cosine" },
  "torch.AdamW": { lr: 0.002, schedule: "cosine" },
  "torch.NAdam": { lr: 0.002, schedule: "cosine" },
  amsgrad: { lr: 0.002, schedule: "cosine" },
  lion: { lr: 2e-4, schedule: "cosine" },
  adam: { lr: 2e-3, schedule: "cosine" },
  sgd: { lr: 0.1, schedule: "cosine" },
  momentum: { lr: 0.01, schedule: "cosine" },
};

/**
 * Large batches (a line search on a minibatch needs a steady loss)
 * and a unit first step; measured on the digits (docs/solvers.md).
 */
export const minibatchSolverDefaults = { epochs: 10, batchSize: 1000, lr: 1, schedule: "constant" } as const;

function rateDefault(optimizer: string): RateDefault {
  const found = optimizerDefaults[optimizer];
  if (!found) throw new Error(`descent train has no default rate for optimizer "${optimizer}"`);
  return found;
}

/** `descent train`'s rate and schedule when not given (adam: 2e-3 with cosine decay). */
export const defaultLearningRate = (optimizer: string) => rateDefault(optimizer).lr;
export const defaultSchedule = (optimizer: string) => rateDefault(optimizer).schedule;
