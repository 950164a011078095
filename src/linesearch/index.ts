export * from "./types.js";
export * from "./lineFunction.js";
export * from "./interpolate.js";
export * from "./backtracking.js";
export * from "./strongWolfe.js";
export * from "./exact.js";
