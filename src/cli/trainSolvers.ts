import { z } from "zod";
import { minibatchCg, minibatchLbfgs, type MinibatchSolver } from "../solvers/minibatch.js";
import { UserError } from "./errors.js";

/**
 * `descent train --optimizer minibatch-lbfgs | minibatch-cg`: the minibatch solvers (torch.optim.LBFGS's
 * closure pattern), named apart from `descent optimize`'s full-batch `lbfgs` and `cg-*`.
 * Hyperparameters go in --config as {"optimizer": {"name": "minibatch-lbfgs", "memory": 10, ...}}; `lr` is the
 * first trial step of the line search (or the fixed step without one).
 */
export const MINIBATCH_SOLVER_NAMES = ["minibatch-lbfgs", "minibatch-cg"];

export const isMinibatchSolver = (name: string): boolean => MINIBATCH_SOLVER_NAMES.includes(name);

const lineSearch = z.enum(["strong-wolfe", "none"]);
const schemas = {
  "minibatch-lbfgs": z
    .object({
      memory: z.number().int().positive(),
      maxIter: z.number().int().positive(),
      lineSearch,
      c2: z.number().gt(0).lt(1),
    })
    .partial()
    .strict(),
  "minibatch-cg": z
    .object({
      variant: z.enum(["fr", "pr", "prplus"]),
      restartEvery: z.number().int().positive(),
      lineSearch,
      c2: z.number().gt(0).lt(1),
    })
    .partial()
    .strict(),
};

/** The strict schema of a minibatch solver's hyperparameters (for the config schema to check). */
export const minibatchSolverSchema = (name: string): z.ZodObject => schemas[name as keyof typeof schemas];

/** The parts of `descent train`'s config that the minibatch solvers read (or refuse). */
export interface MinibatchSolverSettings {
  optimizer: string | { name: string; [key: string]: unknown };
  lr: number;
  clipNorm?: number;
  clipValue?: number;
  clipTensorNorm?: number;
  weightDecay?: number;
  decoupledWeightDecay?: number;
  average: string;
}

/** The minibatch solver a config asks for, or undefined for a gradient-transformation optimizer. */
export function minibatchSolverFor(config: MinibatchSolverSettings): MinibatchSolver | undefined {
  const { name, ...hyper } = typeof config.optimizer === "string" ? { name: config.optimizer } : config.optimizer;
  if (!isMinibatchSolver(name)) return undefined;
  const unsupported = (
    ["clipNorm", "clipValue", "clipTensorNorm", "weightDecay", "decoupledWeightDecay"] as const
  ).filter((k) => config[k] !== undefined);
  if (config.average !== "none") unsupported.push("average" as never);
  if (unsupported.length)
    throw new UserError(
      `optimizer ${name}: "${unsupported[0]}" applies to gradient-transformation optimizers, not to the ${name} solver`,
    );
  const options = schemas[name as keyof typeof schemas].parse(hyper);
  return name === "minibatch-lbfgs"
    ? minibatchLbfgs({ ...options, lr: config.lr })
    : minibatchCg({ ...(options as z.infer<(typeof schemas)["minibatch-cg"]>), lr: config.lr });
}
