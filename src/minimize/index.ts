/** `minimize(f, x0, { method, … })`: one front door to every solver and first-order optimizer, for any function. */
export { minimize, type MinimizeOptions } from "./minimize.js";
export type { MinimizeResult, MinimizeStatus } from "./result.js";
