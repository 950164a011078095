/** Curvature diagnostics (8.2): Hessian-vector products, the gᵀHg monitor, the Hessian's spectrum. */
// (nothing public in ./probes.js)
export { type TridiagonalEigen, tridiagonalEigen } from "./tridiagonal.js";
export { type HessianOperator, type CountedOperator, counted, objectiveHessian, denseOperator } from "./operator.js";
export { type LanczosOptions, Lanczos } from "./lanczos.js";
export {
  type Eigenpair,
  type ExtremeEigenOptions,
  type ExtremeEigenResult,
  extremeEigenpairs,
  conditionNumber,
} from "./spectrum.js";
export { type PowerOptions, type PowerEigenpair, powerIteration } from "./power.js";
export { type TraceEstimate, probeVector, hutchinsonTrace } from "./trace.js";
export { type SpectralDensity, spectralDensity, densityMoment, smoothDensity } from "./density.js";
export { type PointKind, type PointClassification, type ClassifyOptions, classifyPoint } from "./critical.js";
export { type PointCurvatureOptions, type PointCurvature, curvatureAt } from "./pointCurvature.js";
export {
  type HvpMode,
  type TreeLoss,
  treeHvp,
  compiles,
  type OwnedFn,
  compileFor,
  type TreeHvpOptions,
  compileTreeHvp,
} from "./treeHvp.js";
export { type WeightedBatch, type TreeLossHessian, treeLossHessian } from "./treeOperator.js";
export { modelLoss, deviceBatch, weightedBatches } from "./modelLoss.js";
export {
  type IllConditioningRecord,
  compileIllConditioningProbe,
  type StepInfo,
  type MonitorOptions,
  illConditioningMonitor,
} from "./monitor.js";
export { type LayerNormRecord, type GradientStatsInfo, layerGradientNorms } from "./layerNorms.js";
export {
  type GradientNoiseRow,
  type GradientNoise,
  type GradientNoiseOptions,
  gradientNoise,
} from "./gradientNoise.js";
export {
  type RnnWeights,
  type RecurrentDiagnostics,
  type Matrix,
  spectralRadius,
  spectralNorm,
  rnnStates,
  stateJacobians,
  recurrentDiagnostics,
} from "./recurrent.js";
export {
  type HiddenBlock,
  hiddenBlocks,
  permuteHiddenUnits,
  rescaleHiddenUnits,
  type SymmetryCheck,
  weightSpaceSymmetry,
} from "./symmetry.js";
export { type SpectrumSnapshot, spectrumSnapshot } from "./snapshot.js";
export { type Trend, type Figure81Verdict, figure81Verdict } from "./trends.js";
export { type DiagnosticsOptions, type DiagnosticRecord, diagnosticsSession } from "./session.js";
export {
  type FunctionSpectrumOptions,
  type FunctionSpectrum,
  hessianEigenvalues,
  topEigenvalues,
} from "./ofFunction.js";
