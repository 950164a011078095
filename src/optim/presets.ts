/**
 * Every named optimizer, with its hyperparameters as a strict zod schema (keys as in the reference
 * files: the book's symbols for `book.*`, PyTorch's argument names for `torch.*`). `descent optimize
 * --method NAME --config JSON` and `descent train --optimizer NAME` both read this table.
 */
import { z } from "zod";
import { amsgrad, lion } from "./alias.js";
import * as book from "./book.js";
import { firstIssue, hyperSchema, toHyper, type BuildContext, type HyperSpec } from "./spec.js";
import type { ScalarOrSchedule } from "./schedule.js";
import * as torch from "./torch.js";
import type { GradientTransformation } from "./transform.js";

export interface OptimizerPreset {
  description: string;
  /** Strict schema of the hyperparameters, defaults filled in. */
  schema: z.ZodObject;
  /**
   * Keys that `descent train` sets from its own `lr` / `schedule` (so they are not allowed in its optimizer object).
   */
  learningRateKeys: string[];
  /** Builds the transformation from parsed hyperparameters; `lr` may also be a ready ScalarOrSchedule. */
  build(hyper: Record<string, unknown>, ctx: BuildContext): GradientTransformation;
}

type Hyper = HyperSpec | ScalarOrSchedule;
const rate = (value: number) => hyperSchema.default(value);
const nonNegative = (value: number) => z.number().nonnegative().default(value);
const flag = z.boolean().default(false);
const betas = z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]).default([0.9, 0.999]);
const decay = (value: number) => z.number().min(0).lt(1).default(value);

function preset<S extends z.ZodRawShape>(
  shape: S,
  description: string,
  build: (h: z.output<z.ZodObject<S>>, at: (value: Hyper) => ScalarOrSchedule) => GradientTransformation,
  learningRateKeys = ["lr"],
): OptimizerPreset {
  return {
    description,
    schema: z.strictObject(shape),
    learningRateKeys,
    build: (hyper, ctx) => build(hyper as z.output<z.ZodObject<S>>, (value) => toHyper(value, ctx)),
  };
}

const bookPresets: Record<string, OptimizerPreset> = {
  "book.sgd": preset(
    {
      lr: hyperSchema.optional(),
      lr0: z.number().positive().optional(),
      lrTau: z.number().nonnegative().optional(),
      tau: z.number().int().positive().optional(),
    },
    "Alg. 8.1, SGD with the linear decay of eq. 8.14 {lr0, lrTau = lr0/100, tau = steps} (or any rate {lr})",
    (h, at) => {
      if (h.lr !== undefined && (h.lr0 !== undefined || h.lrTau !== undefined || h.tau !== undefined))
        throw new Error("book.sgd takes either lr or {lr0, lrTau, tau}, not both");
      if (h.lr !== undefined) return book.sgd(at(h.lr));
      const lr0 = h.lr0 ?? 0.01;
      return book.sgd(at({ kind: "linear", init: lr0, end: h.lrTau, steps: h.tau }));
    },
    ["lr", "lr0", "lrTau", "tau"],
  ),
  "book.momentum": preset({ lr: rate(0.01), alpha: rate(0.9) }, "Alg. 8.2, momentum: v ← αv − εg, θ ← θ + v", (h, at) =>
    book.momentum(at(h.lr), at(h.alpha)),
  ),
  "book.nesterov": preset(
    { lr: rate(0.01), alpha: rate(0.9) },
    "Alg. 8.3, Nesterov momentum, gradient at θ + αv",
    (h, at) => book.nesterov(at(h.lr), at(h.alpha)),
  ),
  "book.adagrad": preset({ lr: rate(0.01), delta: rate(1e-7) }, "Alg. 8.4, AdaGrad: Δθ = −ε/(δ + √r) ⊙ g", (h, at) =>
    book.adagrad(at(h.lr), at(h.delta)),
  ),
  "book.rmsprop": preset(
    { lr: rate(0.001), rho: rate(0.9), delta: rate(1e-6) },
    "Alg. 8.5, RMSProp: Δθ = −ε/√(δ + r) ⊙ g",
    (h, at) => book.rmsprop(at(h.lr), at(h.rho), at(h.delta)),
  ),
  "book.rmsprop_nesterov": preset(
    { lr: rate(0.001), rho: rate(0.9), alpha: rate(0.9), delta: rate(1e-6) },
    "Alg. 8.6, RMSProp with Nesterov momentum, gradient at θ + αv",
    (h, at) => book.rmspropNesterov(at(h.lr), at(h.rho), at(h.alpha), at(h.delta)),
  ),
  "book.adam": preset(
    { lr: rate(0.001), rho1: decay(0.9), rho2: decay(0.999), delta: rate(1e-8) },
    "Alg. 8.7, Adam with bias-corrected moments",
    (h, at) => book.adam(at(h.lr), h.rho1, h.rho2, at(h.delta)),
  ),
  "book.polyak_uniform": preset(
    // The reference files pass alpha to both averages; the uniform one has no α and ignores it.
    { lr: rate(0.01), alpha: z.number().optional() },
    "8.7.3, constant-rate SGD evaluated at the uniform average θ̂ = 1/t Σθ(i)",
    (h, at) => book.polyakUniform(at(h.lr)),
  ),
  "book.polyak_exponential": preset(
    { lr: rate(0.01), alpha: rate(0.9) },
    "8.7.3, eq. 8.39, constant-rate SGD evaluated at θ̂ ← αθ̂ + (1 − α)θ",
    (h, at) => book.polyakExponential(at(h.lr), at(h.alpha)),
  ),
};

const maximize = flag;
const torchPresets: Record<string, OptimizerPreset> = {
  "torch.SGD": preset(
    { lr: rate(1e-3), momentum: rate(0), dampening: rate(0), weight_decay: rate(0), nesterov: flag, maximize },
    "torch.optim.SGD (momentum, dampening, Nesterov's reformulation, coupled weight decay)",
    (h, at) =>
      torch.SGD({
        ...h,
        lr: at(h.lr),
        momentum: at(h.momentum),
        dampening: at(h.dampening),
        weight_decay: at(h.weight_decay),
      }),
  ),
  "torch.Adagrad": preset(
    {
      lr: rate(1e-2),
      lr_decay: nonNegative(0),
      weight_decay: rate(0),
      initial_accumulator_value: nonNegative(0),
      eps: rate(1e-10),
      maximize,
    },
    "torch.optim.Adagrad (ε outside the root, lr_decay, initial accumulator)",
    (h, at) => torch.Adagrad({ ...h, lr: at(h.lr), weight_decay: at(h.weight_decay), eps: at(h.eps) }),
  ),
  "torch.RMSprop": preset(
    {
      lr: rate(1e-2),
      alpha: rate(0.99),
      eps: rate(1e-8),
      weight_decay: rate(0),
      momentum: rate(0),
      centered: flag,
      maximize,
    },
    "torch.optim.RMSprop (ε outside the root, momentum, centered)",
    (h, at) =>
      torch.RMSprop({
        ...h,
        lr: at(h.lr),
        alpha: at(h.alpha),
        eps: at(h.eps),
        weight_decay: at(h.weight_decay),
        momentum: at(h.momentum),
      }),
  ),
  "torch.Adam": preset(
    { lr: rate(1e-3), betas, eps: rate(1e-8), weight_decay: rate(0), amsgrad: flag, maximize },
    "torch.optim.Adam (coupled weight decay, amsgrad)",
    (h, at) => torch.Adam({ ...h, lr: at(h.lr), eps: at(h.eps), weight_decay: at(h.weight_decay) }),
  ),
  "torch.AdamW": preset(
    { lr: rate(1e-3), betas, eps: rate(1e-8), weight_decay: rate(1e-2), amsgrad: flag, maximize },
    "torch.optim.AdamW (decoupled weight decay)",
    (h, at) => torch.AdamW({ ...h, lr: at(h.lr), eps: at(h.eps), weight_decay: at(h.weight_decay) }),
  ),
  "torch.NAdam": preset(
    {
      lr: rate(2e-3),
      betas,
      eps: nonNegative(1e-8),
      weight_decay: rate(0),
      momentum_decay: nonNegative(4e-3),
      legacy_mu_product: flag,
    },
    "torch.optim.NAdam (Nesterov-accelerated Adam with PyTorch's momentum schedule)",
    (h, at) => torch.NAdam({ ...h, lr: at(h.lr), weight_decay: at(h.weight_decay) }),
  ),
};

const otherPresets: Record<string, OptimizerPreset> = {
  amsgrad: preset(
    { lr: rate(1e-3), rho1: decay(0.9), rho2: decay(0.999), delta: rate(1e-8) },
    "AMSGrad: Adam with the running maximum of the second moment",
    (h, at) => amsgrad(at(h.lr), h.rho1, h.rho2, at(h.delta)),
  ),
  lion: preset(
    { lr: rate(1e-4), beta1: rate(0.9), beta2: rate(0.99), weight_decay: rate(0) },
    "Lion: sign of an interpolated momentum, decoupled weight decay",
    (h, at) => lion(at(h.lr), at(h.beta1), at(h.beta2), at(h.weight_decay)),
  ),
  // `descent train`'s original three names (kept for their defaults:
  // adam is its default optimizer), built from book.* and torch.*.
  adam: preset(
    { lr: rate(1e-3), rho1: decay(0.9), rho2: decay(0.999), delta: rate(1e-8) },
    "Adam (Alg. 8.7), the same as book.adam",
    (h, at) => book.adam(at(h.lr), h.rho1, h.rho2, at(h.delta)),
  ),
  sgd: preset({ lr: rate(0.01) }, "plain SGD, θ ← θ − ε_k g, the same as book.sgd", (h, at) => book.sgd(at(h.lr))),
  momentum: preset(
    { lr: rate(0.01), alpha: rate(0.9) },
    "SGD with momentum, PyTorch's form v ← αv + g, θ ← θ − εv (torch.SGD with momentum α)",
    (h, at) => torch.SGD({ lr: at(h.lr), momentum: at(h.alpha) }),
  ),
};

export const OPTIMIZERS: Readonly<Record<string, OptimizerPreset>> = {
  ...bookPresets,
  ...torchPresets,
  ...otherPresets,
};
export const OPTIMIZER_NAMES = Object.keys(OPTIMIZERS);

export function optimizerPreset(name: string): OptimizerPreset {
  const found = OPTIMIZERS[name];
  if (!found) throw new Error(`unknown optimizer "${name}" (available: ${OPTIMIZER_NAMES.join(", ")})`);
  return found;
}

/** The strict schema of `name`'s hyperparameters; without the learning-rate keys for `descent train`. */
export function hyperparameterSchema(name: string, opts: { withoutLearningRate?: boolean } = {}): z.ZodObject {
  const p = optimizerPreset(name);
  return opts.withoutLearningRate
    ? p.schema.omit(Object.fromEntries(p.learningRateKeys.map((k) => [k, true])) as never)
    : p.schema;
}

/** Validates hyperparameters for `name` (strict: unknown keys and wrong types are errors naming the key). */
export function parseHyperparameters(
  name: string,
  hyper: unknown,
  opts: { withoutLearningRate?: boolean } = {},
): Record<string, unknown> {
  const parsed = hyperparameterSchema(name, opts).safeParse(hyper ?? {});
  if (!parsed.success) throw new Error(`${name}: ${firstIssue(parsed.error).message}`);
  // A negative rate ascends the loss: never what a minimizer means (PyTorch's `maximize` flag exists for that).
  for (const key of ["lr", "lr0"]) {
    const value = (parsed.data as Record<string, unknown>)[key];
    const first = typeof value === "object" && value !== null ? (value as { init?: number }).init : value;
    if (typeof first === "number" && !(first >= 0))
      throw new Error(`${name}: "${key}" must not be negative, got ${first}`);
  }
  return parsed.data as Record<string, unknown>;
}

/** The optimizer `name` with the given hyperparameters (validated here). */
export function namedOptimizer(name: string, hyper: unknown = {}, ctx: BuildContext = {}): GradientTransformation {
  return optimizerPreset(name).build(parseHyperparameters(name, hyper), ctx);
}
