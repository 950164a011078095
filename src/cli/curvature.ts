import { Command, Option } from "commander";
import { precisionOf, random, startEngine } from "../engine/index.js";
import { curvatureAt, type PointCurvature } from "../curvature/index.js";
import { loadAnyProblem, Objective } from "../problems/index.js";
import { UserError } from "./errors.js";
import { readJson } from "./configFile.js";
import { integerArg, numberArg } from "./args.js";

export function curvatureCommand(): Command {
  return new Command("curvature")
    .description(
      "the Hessian at a point of a problem, from Hessian-vector products: gᵀHg, extreme eigenvalues, trace, spectral " +
        "density, saddle test (8.2)",
    )
    .requiredOption(
      "--problem <name|file>",
      "rosenbrock | quadratic | beale | saddle | himmelblau | coupled | mgh:NAME | FILE.json[#ENTRY] | objective " +
        "module FILE.mjs/.js/.ts (default export { x0, f(x, np) })",
    )
    .option(
      "--at <file>",
      "evaluate at this point: a JSON array, or an object with x / theta / x0 / theta0 (default: the problem's start)",
    )
    .option("--top <k>", "largest eigenvalues to report (descending)", integerArg, 1)
    .option("--bottom <k>", "smallest eigenvalues to report (ascending)", integerArg, 1)
    .option("--trace", "Hutchinson's estimate of tr(H)")
    .option("--density", "spectral density by stochastic Lanczos quadrature")
    .option("--probes <n>", "Rademacher probes of --trace and --density (the same ones)", integerArg, 30)
    .option("--density-steps <m>", "Lanczos steps per density probe (default min(n, 80))", integerArg)
    .option("--power", "also compute the top eigenvalues by power iteration with deflation (a check)")
    .option("--tol <tol>", "Lanczos stops when every residual is <= tol·|λ|", numberArg, 1e-10)
    .option("--max-steps <m>", "cap on Lanczos steps (default min(n, 300))", integerArg)
    .option("--grad-tol <tol>", "‖∇f‖ at or below this is a critical point", numberArg, 1e-6)
    .option("--dim <n>", "dimension of rosenbrock / quadratic", integerArg)
    .option("--cond <c>", "condition number of the built-in quadratic", numberArg)
    .option("--seed <n>", "seed of the built-in quadratic and of the random vectors", integerArg, 0)
    .addOption(
      new Option(
        "--dtype <dtype>",
        "float64 is exact to ~1e-15 (jax-js cpu device; JS constants kept float64 under jit); float32 is fast, but " +
          "its Lanczos residuals leave out the HVPs' rounding (not bounds)",
      )
        .choices(["float32", "float64"])
        .default("float64"),
    )
    .option("--json", "print one JSON line on stdout and nothing else")
    .action(async (flags) => {
      for (const name of ["top", "bottom"] as const)
        if (flags[name] < 0) throw new UserError(`--${name} must be >= 0, got ${flags[name]}`);
      if (flags.probes < 1) throw new UserError(`--probes must be >= 1, got ${flags.probes}`);
      if (flags.densitySteps !== undefined && flags.densitySteps < 1)
        throw new UserError(`--density-steps must be >= 1, got ${flags.densitySteps}`);
      if (flags.maxSteps !== undefined && flags.maxSteps < 1)
        throw new UserError(`--max-steps must be >= 1, got ${flags.maxSteps}`);
      if (!(flags.tol > 0)) throw new UserError(`--tol must be positive, got ${flags.tol}`);
      await startEngine();
      const precision = precisionOf(flags.dtype);
      let loaded;
      try {
        loaded = await loadAnyProblem(flags.problem, { dim: flags.dim, cond: flags.cond, seed: flags.seed, precision });
      } catch (error) {
        throw new UserError((error as Error).message);
      }
      const { problem } = loaded;
      const x = flags.at ? readPoint(flags.at, problem.dim) : problem.x0;
      const objective = new Objective(problem, precision);
      const started = performance.now();
      let result: PointCurvature;
      try {
        result = curvatureAt(objective, x, {
          top: flags.top,
          bottom: flags.bottom,
          traceProbes: flags.trace ? flags.probes : 0,
          densityProbes: flags.density ? flags.probes : 0,
          densitySteps: flags.densitySteps,
          power: Boolean(flags.power),
          tol: flags.tol,
          maxSteps: flags.maxSteps,
          gradTol: flags.gradTol,
          key: random.randomKey(flags.seed),
        });
      } catch (error) {
        throw new UserError(`curvature of ${problem.name}: ${(error as Error).message}`);
      } finally {
        objective.dispose();
        problem.dispose();
      }
      const seconds = (performance.now() - started) / 1000;
      const { f, gradNorm, gTg, gHg, top, bottom, trace, hvps, ...rest } = result;
      const summary = {
        f,
        gradNorm,
        gTg,
        gHg,
        top,
        bottom,
        trace,
        hvps,
        problem: problem.name,
        dim: problem.dim,
        dtype: flags.dtype,
        ...rest,
        residualsBound: flags.dtype === "float64",
        seconds: Math.round(seconds * 1e4) / 1e4,
      };
      if (flags.json) {
        process.stdout.write(JSON.stringify(summary) + "\n");
        return;
      }
      process.stdout.write(describe(summary));
    });
}

const POINT_KEYS = ["x", "theta", "x0", "theta0"];

/** `--at FILE`: a JSON array of numbers or an object holding one under x / theta / x0 / theta0. */
function readPoint(path: string, dim: number): Float64Array {
  let value = readJson(path, "--at");
  if (!Array.isArray(value) && value && typeof value === "object") {
    const key = POINT_KEYS.find((k) => k in (value as object));
    if (!key)
      throw new UserError(`--at ${path}: expected a JSON array or an object with one of ${POINT_KEYS.join(", ")}`);
    value = (value as Record<string, unknown>)[key];
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === "number" && Number.isFinite(v)))
    throw new UserError(`--at ${path}: the point must be an array of finite numbers`);
  if (value.length !== dim)
    throw new UserError(`--at ${path}: the point has ${value.length} entries but the problem has dimension ${dim}`);
  return Float64Array.from(value as number[]);
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(10));

function describe(s: PointCurvature & { problem: string; dim: number; seconds: number }): string {
  const lines = [
    `${s.problem} (n = ${s.dim}): f = ${fmt(s.f)}, ‖∇f‖ = ${s.gradNorm.toExponential(3)}, gᵀHg = ${fmt(s.gHg)}`,
    `top eigenvalues:    ${s.top.map(fmt).join(", ") || "—"}`,
    `bottom eigenvalues: ${s.bottom.map(fmt).join(", ") || "—"}`,
    `condition number:   ${s.condition === null ? "undefined (H is not positive definite)" : fmt(s.condition)}`,
    `point:              ${s.point.kind}` +
      `${s.point.kind === "saddle" ? ` (most negative eigenvalue ${fmt(s.point.lambdaMin)})` : ""}`,
  ];
  if (s.trace !== null)
    lines.push(`trace (Hutchinson): ${fmt(s.trace)} ± ${s.traceStdError?.toExponential(2) ?? "n/a"}`);
  if (s.density)
    lines.push(
      `density (SLQ):      ${s.density.probes} probes × ${s.density.steps} steps, mean eigenvalue ` +
        `${fmt(s.density.firstMoment)}`,
    );
  if (s.powerTop) lines.push(`power iteration:    ${s.powerTop.map(fmt).join(", ")}`);
  lines.push(
    `${s.lanczosSteps} Lanczos steps${s.converged ? "" : " (not converged: raise --max-steps)"}, ${s.hvps} ` +
      `Hessian-vector products in ${s.seconds} s`,
  );
  return lines.join("\n") + "\n";
}
