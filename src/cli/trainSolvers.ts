import { z } from "zod";
import { minibatchCg, minibatchLbfgs, type MinibatchSolver } from "../solvers/minibatch.js";
import { UserError } from "./errors.js";

/**
 * `descent train --optimizer lbfgs | cg`: the minibatch solvers (torch.optim.LBFGS's closure pattern).
 * Hyperparameters go in --config as {"optimizer": {"name": "lbfgs", "memory": 10, ...}}; `lr` is the
 * first trial step of the line search (or the fixed step without one).
 */
export const MINIBATCH_SOLVER_NAMES = ["lbfgs", "cg"];

export const isMinibatchSolver = (name: string): boolean => MINIBATCH_SOLVER_NAMES.includes(name);

const lineSearch = z.enum(["strong-wolfe", "none"]);
const schemas = {
  lbfgs: z.object({ memory: z.number().int().positive(), maxIter: z.number().int().positive(), lineSearch, c2: z.number().gt(0).lt(1) }).partial().strict(),
  cg: z.object({ variant: z.enum(["fr", "pr", "prplus"]), restartEvery: z.number().int().positive(), lineSearch, c2: z.number().gt(0).lt(1) }).partial().strict(),
};

/** Problems with a solver's hyperparameters, for the config schema to report. */
export function minibatchSolverIssues(name: string, hyperparameters: Record<string, unknown>): { path: (string | number)[]; message: string }[] {
  const parsed = schemas[name as keyof typeof schemas].safeParse(hyperparameters);
  return (parsed.error?.issues ?? []).map((issue) =>
    issue.code === "unrecognized_keys" ? { path: [], message: `unknown key "${issue.keys[0]}" for ${name} (${Object.keys(schemas[name as keyof typeof schemas].shape).join(", ")})` } : { path: issue.path as (string | number)[], message: issue.message },
  );
}

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
  const unsupported = (["clipNorm", "clipValue", "clipTensorNorm", "weightDecay", "decoupledWeightDecay"] as const).filter((k) => config[k] !== undefined);
  if (config.average !== "none") unsupported.push("average" as never);
  if (unsupported.length) throw new UserError(`optimizer ${name}: "${unsupported[0]}" applies to gradient-transformation optimizers, not to the ${name} solver`);
  const options = schemas[name as keyof typeof schemas].parse(hyper);
  return name === "lbfgs" ? minibatchLbfgs({ ...options, lr: config.lr }) : minibatchCg({ ...(options as z.infer<typeof schemas.cg>), lr: config.lr });
}
