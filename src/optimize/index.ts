export * from "./result.js";
export * from "./registry.js";
