/**
 * The browser-safe part of Descent (`descent/browser`): no node:* module is reachable from here, so a
 * bundler can ship it to a page. The root entry also re-exports data files, run folders and problem
 * modules, which read the disk. Same contract: `await engine.startEngine()` first.
 */
export * as engine from "./engine/index.js";
// Not curvature/index.js: its minibatch diagnostics load datasets from disk.
export { curvatureAt, type PointCurvature } from "./curvature/pointCurvature.js";
export { objectiveHessian, counted, type HessianOperator } from "./curvature/operator.js";
export { hessianEigenvalues } from "./curvature/ofFunction.js";
export { classifyPoint } from "./curvature/critical.js";
export { allMethods, methodByName, type MethodEntry } from "./methods/index.js";
export { OPTIMIZERS, parseHyperparameters } from "./optim/presets.js";
export { SURFACES, surfaceByName, type Surface } from "./problems/surfaces.js";
export { Objective } from "./problems/objective.js";
export { contourLevels, contourLines, sampleGrid, type ContourLine, type Grid } from "./report/contours.js";
export { raceOnSurface, surfaceContours, batchedValues, type MethodSpec, type SurfaceRun } from "./report/landscape.js";
export * from "./minimize/index.js";
export { numpy, grad, jit, valueAndGrad, vmap, hessian } from "@jax-js/jax";
// Panel 2 (train) and its curvature: a step-at-a-time trainer, the 2-D datasets, the MLP, the network's spectrum.
export { LiveTraining, type LiveTrainingOptions } from "./train/live.js";
export { TrainingDivergedError } from "./train/errors.js";
export { twoSpirals, gaussianBlobs, concentricCircles, xorQuadrants } from "./data/synthetic.js";
export type { Dataset } from "./data/dataset.js";
export { mlp, initNames, type InitName } from "./nn/index.js";
export { networkCurvature, type NetworkCurvature } from "./curvature/networkPoint.js";
export {
  componentRate,
  momentumRate,
  momentumPhaseDiagram,
  optimalMomentum,
  eigenComponentErrors,
} from "./curvature/momentumRates.js";
