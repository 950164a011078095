export * from "./transform.js";
export * from "./schedule.js";
export * from "./primitives.js";
export * from "./alias.js";
