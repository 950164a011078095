export * from "./problem.js";
export * from "./objectives.js";
export * from "./builtin.js";
export * from "./spec.js";
export * from "./objective.js";
export * from "./surfaces.js";
