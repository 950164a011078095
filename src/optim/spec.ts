/**
 * Optimizers as JSON data: schedule specifications and hyperparameter values (a number or a
 * schedule), validated with zod, turned into the transforms' `ScalarOrSchedule`s.
 */
import { z } from "zod";
import {
  constantSchedule,
  cosineDecaySchedule,
  exponentialSchedule,
  inverseTimeSchedule,
  linearDecaySchedule,
  stepSchedule,
  warmupSchedule,
  type ScalarOrSchedule,
  type Schedule,
} from "./schedule.js";

/** What a JSON schedule may leave to the run: its length (`--steps`, or the training run's steps). */
export interface BuildContext {
  totalSteps?: number;
}

const common = {
  /** The first value; a learning-rate schedule takes it from `lr` when absent. */
  init: z.number().optional(),
  /** Linear warm-up from 0 over this many updates, then the schedule (counted from the warm-up's end). */
  warmup: z.number().int().positive().optional(),
};
const length = z.number().int().positive().optional();

/** A schedule as JSON: `{"kind": "cosine", "init": 0.1, "steps": 1000}`. Lengths default to the run's. */
export const scheduleSpecSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("constant"), ...common }),
  /** Eq. 8.14: `end` is ε_τ (default init/100), `steps` is τ. */
  z.strictObject({ kind: z.literal("linear"), ...common, end: z.number().optional(), steps: length }),
  z.strictObject({ kind: z.literal("cosine"), ...common, end: z.number().default(0), steps: length }),
  z.strictObject({
    kind: z.literal("step"),
    ...common,
    every: z.number().int().positive(),
    factor: z.number().positive().default(0.1),
  }),
  z.strictObject({
    kind: z.literal("exponential"),
    ...common,
    rate: z.number().positive(),
    every: z.number().positive().default(1),
  }),
  z.strictObject({ kind: z.literal("inverse_time"), ...common, decay: z.number().nonnegative() }),
]);
export type ScheduleSpec = z.output<typeof scheduleSpecSchema>;

/** A hyperparameter in JSON: a number or a schedule spec (with its `init`). */
export const hyperSchema = z.union([z.number(), scheduleSpecSchema]);
export type HyperSpec = z.output<typeof hyperSchema>;

/** Builds a schedule from its spec; `init` comes from the spec or the caller (the learning rate). */
export function buildSchedule(spec: ScheduleSpec, ctx: BuildContext & { init?: number }): Schedule {
  const init = spec.init ?? ctx.init;
  if (init === undefined) throw new Error(`a "${spec.kind}" schedule needs "init"`);
  const warmup = spec.warmup ?? 0;
  const steps = (given: number | undefined) => {
    const n = given ?? (ctx.totalSteps === undefined ? undefined : ctx.totalSteps - warmup);
    if (n === undefined || !(n >= 1))
      throw new Error(
        `a "${spec.kind}" schedule needs "steps" (the run's length is not known here, or the warm-up is as long)`,
      );
    return n;
  };
  let schedule: Schedule;
  switch (spec.kind) {
    case "constant":
      schedule = constantSchedule(init);
      break;
    case "linear":
      schedule = linearDecaySchedule(init, steps(spec.steps), spec.end ?? init / 100);
      break;
    case "cosine":
      schedule = cosineDecaySchedule(init, steps(spec.steps), spec.end);
      break;
    case "step":
      schedule = stepSchedule(init, spec.every, spec.factor);
      break;
    case "exponential":
      schedule = exponentialSchedule(init, spec.rate, spec.every);
      break;
    case "inverse_time":
      schedule = inverseTimeSchedule(init, spec.decay);
      break;
  }
  return warmup > 0 ? warmupSchedule(warmup, init, schedule) : schedule;
}

/** A validated hyperparameter (or one already built, e.g. the Trainer's learning rate) as the transforms take it. */
export function toHyper(value: HyperSpec | ScalarOrSchedule, ctx: BuildContext): ScalarOrSchedule {
  if (typeof value === "number" || typeof value === "function") return value;
  return buildSchedule(value, ctx);
}

/** The named learning-rate schedules of `descent train --schedule`, or a spec object, starting at `lr`. */
export type LearningRateSchedule = "constant" | "linear" | "cosine" | ScheduleSpec;

export function learningRate(lr: number, schedule: LearningRateSchedule, ctx: BuildContext): ScalarOrSchedule {
  if (schedule === "constant") return lr;
  const spec: ScheduleSpec = typeof schedule === "string" ? scheduleSpecSchema.parse({ kind: schedule }) : schedule;
  return buildSchedule(spec, { ...ctx, init: spec.init ?? lr });
}

/**
 * The first problem of a zod error as `path: message`, looking inside unions (the branch that got
 * furthest) so that `{"lr": {"kind": "cosine", "steps": "x"}}` reports `lr.steps`, not "invalid input".
 * The one formatter of validation errors: `noun` names what the keys are ("config"), `known` lists
 * the accepted keys after an unknown one.
 */
export function firstIssue(
  error: z.ZodError,
  opts: { noun?: string; known?: readonly string[] } = {},
): { path: string; message: string } {
  const noun = opts.noun ? `${opts.noun} ` : "";
  let issue = error.issues[0] as z.core.$ZodIssue;
  let prefix: PropertyKey[] = [];
  while (issue.code === "invalid_union" && issue.errors.length > 0) {
    const branches = issue.errors.filter((b) => b.length > 0);
    const deepest = branches.reduce((best, b) => (b[0].path.length > best[0].path.length ? b : best), branches[0]);
    prefix = [...prefix, ...issue.path];
    issue = deepest[0];
  }
  const path = [...prefix, ...issue.path].map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((k) => `"${path ? `${path}.` : ""}${k}"`).join(", ");
    const known = opts.known ? ` (known: ${opts.known.join(", ")})` : "";
    return { path, message: `unknown ${noun}key${issue.keys.length > 1 ? "s" : ""} ${keys}${known}` };
  }
  return { path, message: `${path ? `${noun}"${path}" ` : ""}${issue.message.replace(/^Invalid input: /, "")}` };
}
