import { z } from "zod";
import { firstIssue } from "../optim/spec.js";
import { bfgs } from "../solvers/bfgs.js";
import { bookNewton } from "../solvers/bookNewton.js";
import { conjugateGradient, type CgVariant } from "../solvers/cg.js";
import { cgDescent } from "../solvers/cgDescent.js";
import { coordinateDescent } from "../solvers/coordinateDescent.js";
import { lbfgs } from "../solvers/lbfgs.js";
import { newton } from "../solvers/newton.js";
import { newtonCg } from "../solvers/newtonCg.js";
import type { SolverOptions } from "../solvers/options.js";
import type { MethodEntry, MethodOptions } from "./types.js";

const positive = z.number().positive();
const fraction = z.number().gt(0).lt(1);
const lineSearchName = z.enum(["strong-wolfe", "exact", "exact (quadratic)"]);

const schemas = {
  newton: z.object({
    damping: z.number().nonnegative(),
    adaptive: z.boolean(),
    saddleFree: z.boolean(),
    nonmonotone: z.number().int().positive(),
  }),
  cg: z.object({
    lineSearch: lineSearchName,
    restartEvery: z.number().int().nonnegative(),
    powellNu: z.number().nonnegative(),
    c1: fraction,
    c2: fraction,
    warmup: z.object({ steps: z.number().int().nonnegative(), lr: positive }).strict(),
  }),
  bfgs: z.object({
    initialScaling: z.boolean(),
    c1: fraction,
    c2: fraction,
    initialStep: z.enum(["unit", "interpolate"]),
  }),
  lbfgs: z.object({ memory: z.number().int().positive(), c1: fraction, c2: fraction }),
  newtonCg: z.object({
    maxInner: z.number().int().positive(),
    lineSearch: z.enum(["strong-wolfe", "backtracking"]),
    initialStep: z.enum(["unit", "interpolate"]),
    forcingNorm: z.union([z.literal(1), z.literal(2)]),
    globalization: z.enum(["line-search", "trust-region"]),
    radius: positive,
    maxRadius: positive,
  }),
  coordinate: z.object({
    rule: z.enum(["exact", "line-search"]),
    blocks: z.array(z.array(z.number().int().nonnegative()).min(1)).min(1),
    c2: fraction,
  }),
  bookNewton: z.object({ damping: z.number().nonnegative() }),
  bookCg: z.object({ lineSearch: lineSearchName, restartEvery: z.number().int().nonnegative() }),
};

/**
 * Each schema's partial strict form, built once: zod compiles a parser per new schema object, which
 * cost ~0.15 ms per solve (5 % of an L-BFGS run on the logistic problem).
 */
const partialSchemas = new WeakMap<z.ZodObject, z.ZodObject>();

/** Validates a method's JSON config, naming the offending key in the error. */
function parseConfig<S extends z.ZodObject>(
  method: string,
  schema: S,
  config: Record<string, unknown>,
): Partial<z.infer<S>> {
  let partial = partialSchemas.get(schema);
  if (!partial) partialSchemas.set(schema, (partial = schema.partial().strict()));
  const result = partial.safeParse(config);
  if (result.success) return result.data as Partial<z.infer<S>>;
  throw new Error(
    `${method}: ${firstIssue(result.error, { noun: "config", known: Object.keys(schema.shape) }).message}`,
  );
}

const solverOptions = (opts: MethodOptions): SolverOptions => ({
  tol: opts.tol,
  maxIter: opts.maxIter,
  steps: opts.steps,
  recordTrajectory: opts.recordTrajectory,
  onIteration: opts.onIteration,
});
const exactName = (ls: string | undefined) =>
  ls === undefined ? undefined : ls.startsWith("exact") ? ("exact" as const) : ("strong-wolfe" as const);

function cgEntry(variant: CgVariant, label: string): MethodEntry {
  return {
    description:
      `nonlinear conjugate gradients (Alg. 8.9), ${label}; strong Wolfe (c2 = 0.1) or exact steps on ` + `quadratics`,
    run: (objective, x0, config, opts) => {
      const c = parseConfig(`cg-${variant}`, schemas.cg, config);
      return conjugateGradient(objective, x0, {
        ...solverOptions(opts),
        ...c,
        lineSearch: exactName(c.lineSearch),
        variant,
      });
    },
  };
}

/**
 * Alg. 8.9 with the book's periodic resets along −g (8.6.2), every n iterations unless `restartEvery`
 * says otherwise (0: never). The line search approximates ε* = argmin J(θ + ερ): strong Wolfe with
 * c2 = 0.1 < 1/2, under which Fletcher–Reeves is globally convergent (Al-Baali 1985); the exact step on request.
 */
function bookCgEntry(variant: CgVariant): MethodEntry {
  const name = variant === "fr" ? "Fletcher-Reeves" : "Polak-Ribière";
  return {
    description: `Alg. 8.9 as written (${name}), reset along −g every n iterations; strong Wolfe or the exact step`,
    run: (objective, x0, config, opts) => {
      const c = parseConfig(`book.cg_${variant}`, schemas.bookCg, config);
      return conjugateGradient(objective, x0, {
        ...solverOptions(opts),
        variant,
        lineSearch: exactName(c.lineSearch) ?? "strong-wolfe",
        restartEvery: c.restartEvery ?? objective.dim,
        powellNu: 0,
      });
    },
  };
}

/** Second-order solvers and coordinate descent of `descent optimize`. */
export const solverMethods: Record<string, MethodEntry> = {
  newton: {
    description:
      "Newton (Alg. 8.8) with the full Hessian; Levenberg-Marquardt damping (eq. 8.28), negative-curvature report, " +
      "saddle-free option",
    run: (objective, x0, config, opts) =>
      newton(objective, x0, { ...solverOptions(opts), ...parseConfig("newton", schemas.newton, config) }),
  },
  "cg-fr": cgEntry("fr", "Fletcher-Reeves β"),
  "cg-pr": cgEntry("pr", "Polak-Ribière β"),
  "cg-prplus": cgEntry("prplus", "PR+ β = max(0, β_PR)"),
  "cg-hz": {
    description:
      "Hager–Zhang CG (CG_DESCENT, 2005/2006): β̄ = max(β^N, η_k), guaranteed descent, approximate Wolfe line search",
    run: (objective, x0, config, opts) =>
      cgDescent(objective, x0, {
        ...solverOptions(opts),
        ...parseConfig("cg-hz", z.object({ eta: positive, restartEvery: z.number().int().positive() }), config),
      }),
  },
  bfgs: {
    description: "BFGS (eqs. 8.32-8.33) with a strong Wolfe line search",
    run: (objective, x0, config, opts) =>
      bfgs(objective, x0, { ...solverOptions(opts), ...parseConfig("bfgs", schemas.bfgs, config) }),
  },
  lbfgs: {
    description: "L-BFGS, two-loop recursion, memory m (default 10), γ = sᵀy/yᵀy",
    run: (objective, x0, config, opts) =>
      lbfgs(objective, x0, { ...solverOptions(opts), ...parseConfig("lbfgs", schemas.lbfgs, config) }),
  },
  "newton-cg": {
    description: "Newton-CG / Hessian-free: truncated CG on Hessian-vector products, Steihaug negative-curvature exit",
    run: (objective, x0, config, opts) =>
      newtonCg(objective, x0, { ...solverOptions(opts), ...parseConfig("newton-cg", schemas.newtonCg, config) }),
  },
  "coordinate-descent": {
    description: "(block) coordinate descent (8.7.2), exact block minimization or a line search per block",
    run: (objective, x0, config, opts) =>
      coordinateDescent(objective, x0, {
        ...solverOptions(opts),
        ...parseConfig("coordinate-descent", schemas.coordinate, config),
      }),
  },
  "book.newton": {
    description: "Alg. 8.8 as written: θ ← θ − (H + αI)⁻¹g with config {damping}, no safeguards",
    run: (objective, x0, config, opts) =>
      bookNewton(
        objective,
        x0,
        parseConfig("book.newton", schemas.bookNewton, config).damping ?? 0,
        solverOptions(opts),
      ),
  },
  "book.cg_fr": bookCgEntry("fr"),
  "book.cg_pr": bookCgEntry("pr"),
};
