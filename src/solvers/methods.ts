import type { MethodEntry } from "../optimize/result.js";

/** Second-order solvers and coordinate descent of `descent optimize`. */
export const solverMethods: Record<string, MethodEntry> = {};
