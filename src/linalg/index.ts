export * from "./vector.js";
export * from "./matrix.js";
