export type { MethodOptions, MethodEntry } from "./types.js";
export { allMethods, methodByName } from "./registry.js";
export { firstOrderMethods, DEFAULT_FIRST_ORDER_STEPS } from "./firstOrder.js";
export { runFirstOrder } from "./firstOrderRunner.js";
export { solverMethods } from "./solvers.js";
