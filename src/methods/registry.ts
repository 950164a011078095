import { firstOrderMethods } from "./firstOrder.js";
import { solverMethods } from "./solvers.js";
import type { MethodEntry } from "./types.js";

/** Every method `descent optimize --method` accepts. */
export function allMethods(): Record<string, MethodEntry> {
  return { ...firstOrderMethods, ...solverMethods };
}

export function methodByName(name: string): MethodEntry {
  const methods = allMethods();
  const entry = methods[name];
  if (!entry)
    throw new Error(`unknown method "${name}" (available: ${Object.keys(methods).sort().join(", ") || "none"})`);
  return entry;
}
