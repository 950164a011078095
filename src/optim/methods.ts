import type { MethodEntry } from "../optimize/result.js";

/** First-order methods of `descent optimize`, by the names used in the reference files. */
export const firstOrderMethods: Record<string, MethodEntry> = {};
