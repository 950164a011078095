import { z } from "zod";

const scalar = z.union([z.number(), z.string(), z.boolean()]);

/** A random-search distribution over one field. */
const distribution = z.union([
  z.strictObject({ logUniform: z.tuple([z.number().positive(), z.number().positive()]) }),
  z.strictObject({ uniform: z.tuple([z.number(), z.number()]) }),
  z.strictObject({ choice: z.array(scalar).min(1) }),
]);

/**
 * Asynchronous successive halving: rungs at minResource·η^k (epochs for train, steps for optimize) up to maxResource.
 */
const ashaSchema = z.strictObject({
  eta: z.number().int().min(2).default(3),
  minResource: z.number().int().positive(),
  maxResource: z.number().int().positive(),
  /** The metric ranked at each rung (lower is better), from the command's --json summary. */
  metric: z.string().optional(),
});

export const sweepConfigSchema = z
  .strictObject({
    command: z.enum(["train", "optimize"]),
    base: z.record(z.string(), scalar).default({}),
    grid: z.record(z.string(), z.array(scalar).min(1)).default({}),
    random: z.record(z.string(), distribution).default({}),
    /** Number of random draws (each combined with every grid point); 1 when there is no random search. */
    trials: z.number().int().positive().optional(),
    seeds: z.array(z.number().int()).min(1).default([0]),
    /** Seed of the random search itself, so a sweep's trials are reproducible. */
    searchSeed: z.number().int().default(0),
    asha: ashaSchema.optional(),
    /** Parallel trials (local backend); default one per core. */
    concurrency: z.number().int().positive().optional(),
  })
  .refine((c) => c.asha === undefined || c.asha.maxResource >= c.asha.minResource, {
    message: "asha.maxResource must be >= asha.minResource",
    path: ["asha"],
  })
  .refine((c) => Object.keys(c.random).length === 0 || c.trials !== undefined, {
    message: 'random search needs "trials" (the number of draws)',
    path: ["trials"],
  });

export type SweepConfig = z.infer<typeof sweepConfigSchema>;
export type AshaConfig = z.infer<typeof ashaSchema>;
export type Scalar = z.infer<typeof scalar>;
export type Distribution = z.infer<typeof distribution>;
