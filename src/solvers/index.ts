export type { SolverOptions, IterationRecord } from "./options.js";
export { type Stop, SolverRun, evaluationsToReach } from "./run.js";
export { type NewtonOptions, newton } from "./newton.js";
export { bookNewton } from "./bookNewton.js";
export { type CgVariant, type CgOptions, cgBeta, conjugateGradient } from "./cg.js";
export { type InverseHessianApproximation, type QuasiNewtonOptions, quasiNewton } from "./quasiNewton.js";
export { type CgDescentOptions, cgDescent } from "./cgDescent.js";
export { type BfgsOptions, DenseInverseHessian, bfgs } from "./bfgs.js";
export { type LbfgsOptions, LbfgsMemory, lbfgs } from "./lbfgs.js";
export { type TruncatedCgResult, truncatedCg } from "./truncatedCg.js";
export { type SteihaugResult, steihaugCg } from "./steihaug.js";
export { type NewtonCgOptions, newtonCg } from "./newtonCg.js";
export { type CoordinateDescentOptions, coordinateDescent } from "./coordinateDescent.js";
export {
  type HostMatrix,
  type SparseCodingOptions,
  type SparseCodingResult,
  sparseCodingObjective,
  sparseCoding,
} from "./sparseCoding.js";
export {
  type MinibatchStep,
  type MinibatchSolver,
  type MinibatchLineOptions,
  type MinibatchLbfgsOptions,
  minibatchLbfgs,
  type MinibatchCgOptions,
  minibatchCg,
} from "./minibatch.js";
export type { SolverStatus, OptimizeResult } from "./result.js";
export type { SolverInput } from "./input.js";
