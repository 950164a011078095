export type { Evaluator, LineFunction, LineSearchResult } from "./types.js";
export { ObjectiveLine, functionLine } from "./lineFunction.js";
export { quadraticMin, cubicMinTwoSlopes, cubicMinThreePoints, secantMin } from "./interpolate.js";
export { type BacktrackingOptions, backtracking } from "./backtracking.js";
export { type StrongWolfeOptions, strongWolfe } from "./strongWolfe.js";
export { exactQuadraticStep } from "./exact.js";
export { firstStep, interpolatedStep } from "./initialStep.js";
export { type HagerZhangOptions, hagerZhang } from "./hagerZhang.js";
