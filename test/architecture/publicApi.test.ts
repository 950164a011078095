import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as descent from "../../src/index.js";

/**
 * The public names of `import … from "descent"` ("" is the root) and of each namespace. Adding or removing
 * a public name is a deliberate change: update this list in the same commit, and say why in its message.
 */
const PUBLIC: Record<string, string> = {
  "":
    "blockUntilReady curvature data engine grad hessian jaxNn jaxRandom jit jvp lax linesearch losses " +
    "minimize nn numpy optim problems readSafetensors report solvers strategies train tree " +
    "valueAndGrad vjp vmap writeSafetensors",
  curvature:
    "Lanczos classifyPoint compileFor compileIllConditioningProbe compileTreeHvp compiles componentRate " +
    "conditionNumber counted curvatureAt denseOperator densityMoment deviceBatch diagnosticsSession " +
    "eigenComponentErrors extremeEigenpairs figure81Verdict gradientNoise hessianEigenvalues hiddenBlocks " +
    "hutchinsonTrace illConditioningMonitor layerGradientNorms modelLoss momentumPhaseDiagram momentumRate " +
    "networkCurvature objectiveHessian optimalMomentum permuteHiddenUnits " +
    "powerIteration probeVector recurrentDiagnostics rescaleHiddenUnits rnnStates smoothDensity " +
    "spectralDensity spectralNorm spectralRadius spectrumSnapshot stateJacobians topEigenvalues " +
    "treeHvp treeLossHessian tridiagonalEigen weightSpaceSymmetry weightedBatches",
  data:
    "MNIST_TRAIN_SIZE SAMPLING_REGIMES addingProblem applyNormalization batchesPerEpoch concentricCircles " +
    "epochBatches exampleSize gatherBatch gaussianBlobs linearRegression loadCsvDataset loadIdxDataset " +
    "loadIdxSplits loadMnistDigits mnistSplit normalizationStats oneHot parseDatasetSpec " +
    "randomOrthogonal readIdx standardize subset twoSpirals validationSplit xorQuadrants",
  engine:
    "countParameters cpuCompileStatus disposeTree dtypeName exactFloat64Status flattenTree gemmCalls gemmStatus " +
    "layoutOfShapes layoutOfTree leavesWithPaths mapWithPaths onDevice precisionOf random realize realizeAsync " +
    "refTree setCpuCompileEnabled setExactFloat64Enabled setGemmEnabled splitFlat startEngine toDevice " +
    "treeFromHost treeToHost unflattenArray unflattenTree withDefaultDevice " +
    "ThreadConfigError setThreadsEnabled threadStatus threadsReady setThreads",
  linesearch:
    "ObjectiveLine backtracking cubicMinThreePoints cubicMinTwoSlopes exactQuadraticStep firstStep " +
    "functionLine hagerZhang interpolatedStep quadraticMin secantMin strongWolfe",
  losses: "accuracy argmax lossFunction meanSquaredError softmaxCrossEntropy zeroOneError",
  nn:
    "MODEL_DEFAULTS activations batchNorm buildModel checkGradients cnn constantInit conv2d " +
    "defaultInitOf fans flatten glorotUniform heNormal initNames initializerByName lastStep linear " +
    "maxPool2d maxout mlp none normalInit orthogonal orthonormalColumns outputBiasFromTargets relu " +
    "reluFn reshape residual rnn rnnClassifier scaleToUnitActivations sequential setOutputBias " +
    "sigmoid sigmoidFn softplus softplusFn sparse stateless tanh trainingLoss weightAndBias zerosInit",
  optim:
    "OPTIMIZERS OPTIMIZER_NAMES addDecayedWeights amsgrad applyUpdates book buildSchedule chain " +
    "clipByGlobalNorm clipByTensorNorm clipByValue composeOptimizer constantSchedule " +
    "cosineDecaySchedule decoupledWeightDecay exponentialSchedule firstIssue globalNorm " +
    "hyperparameterSchema inverseTimeSchedule learningRate linearDecaySchedule lion masked " +
    "namedOptimizer negate nesterovMomentum optimizerPreset parseHyperparameters polyakAveraging " +
    "scale scaleByAdagrad scaleByAdam scaleByLearningRate scaleByLion scaleByNadam scaleByRms " +
    "scheduleSpecSchema selects skipNonFiniteUpdates stepSchedule torch torchMomentum traceMomentum " +
    "valueAt warmupSchedule weightDecayMask wrapTransformation",
  problems:
    "BUILTIN_PROBLEMS Objective SURFACES beale builtinProblem coupled himmelblau isObjectiveModule " +
    "isQuadraticProblem loadAnyProblem loadObjectiveModule loadProblem logisticProblem mlpProblem " +
    "objectiveFromFunction problemFromJson problemFromSpec quadraticProblem randomQuadratic " +
    "rosenbrockProblem saddle surfaceByName",
  report:
    "FIGURES axis batchedValues contourLevels contourLines contourPlotSpec contourRows diagnoseReport " +
    "figure81 figure82 figure83 figure84 figure85 figure86 figure87 figureAdaptive " +
    "figureGradientNoise figurePolyak figureRnnJacobians figureSpectrum figuresPage " +
    "filterNormalizedDirection fitView histogramSpec htmlPage landscape landscapeSpec lossOnPlane " +
    "lossPanelSpec networkLandscape networkLandscapeSpec panels projectTrajectory raceOnSurface " +
    "renderFigures renderSvg sampleGrid subtract surfaceContours surfaceFromProblem symmetricEigen2 " +
    "trainDigitsMlp trainReport xyChartSpec",
  solvers:
    "DenseInverseHessian LbfgsMemory SolverRun bfgs bookNewton cgBeta cgDescent conjugateGradient " +
    "coordinateDescent evaluationsToReach lbfgs minibatchCg minibatchLbfgs newton newtonCg " +
    "quasiNewton sparseCoding sparseCodingObjective steihaugCg truncatedCg",
  strategies:
    "auxiliaryHeadsLoss blurredObjective continuation decayToZero deepMlp deepRnn " +
    "difficultyFromLength difficultyFromTeacherLoss easyToHard freeze frozenLayersAt geometricSigmas " +
    "greedyPretraining hiddenStates hintedLoss hostLeaves layerPaths linearShare modelObjective " +
    "predictionModel predictionParams savePredictionWeights stageOf stagedCurriculum " +
    "stochasticCurriculum teacherHints trainWithHints transferFromCheckpoint",
  train:
    "CheckpointError DivergenceGuard InvalidRunError LiveTraining LossDivergedError MetricsLog NonFiniteError " +
    "TrainingDivergedError closureOptimizer compilePredict compileTrainStep evaluate initTrainState " +
    "isClosureOptimizer loadCheckpoint loadModel readCheckpointInfo readModelCheckpoint " +
    "saveCheckpoint train",
};

/** Host helpers and plumbing that must stay internal (import them from their file inside src/). */
const INTERNAL = [
  "dot",
  "axpy",
  "norm",
  "neg",
  "pointAt",
  "matVec",
  "cholesky",
  "luSolve",
  "leavesOf",
  "requireParams",
  "unprefixed",
  "CHECKPOINT_FORMAT",
  "loadTrainedModel",
  "searchResult",
  "countedMap",
  "toHyper",
  "mapTree",
  "zerosLikeTree",
  "isFiniteTree",
  "curvatureHolds",
  "forcingTolerance",
  "norm1",
  "treeVdot",
  "treeAddScaled",
  "rademacher",
  "randomUnit",
  "compileClosureStep",
  "nonFiniteCause",
  "assertFinite",
  "labelsPathFor",
  "DATASET_SPECS",
  "startingPoint",
  "onObjective",
  "SCHEMA",
  "PALETTE",
  "methodByName",
  "solverMethods",
];

/** Runtime names of a module namespace (types have none at runtime: the type checker pins those). */
const namesOf = (ns: object) => Object.keys(ns).sort();
const namespaces = () =>
  Object.entries(descent).filter(([, v]) => v !== null && typeof v === "object" && Object.getPrototypeOf(v) === null);

describe('the public API of "descent"', () => {
  it("each namespace exports exactly its listed names", () => {
    const actual: Record<string, string[]> = { "": namesOf(descent) };
    for (const [name, ns] of namespaces()) actual[name] = namesOf(ns);
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(PUBLIC).sort(), "the namespaces");
    for (const [name, listed] of Object.entries(PUBLIC)) {
      const expected = listed.split(" ").sort();
      const added = actual[name].filter((n) => !expected.includes(n));
      const removed = expected.filter((n) => !actual[name].includes(n));
      assert.deepEqual({ added, removed }, { added: [], removed: [] }, `namespace "${name}" changed`);
    }
  });

  it("no internal helper leaks into any namespace", () => {
    for (const [name, ns] of [["", descent] as const, ...namespaces()]) {
      const leaked = INTERNAL.filter((n) => n in ns);
      assert.deepEqual(leaked, [], `namespace "${name}"`);
    }
  });
});
