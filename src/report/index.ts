/** Charts (Vega-Lite specs rendered to SVG), reports, loss landscapes and the chapter's figures. */
export { type Row, type XyChartOptions, axis, xyChartSpec, histogramSpec, panels } from "./charts.js";
// (nothing public in ./format.js)
export { type Grid, type ContourLine, contourLevels, contourLines, sampleGrid } from "./contours.js";
export { renderSvg } from "./render.js";
export { type ReportSection, htmlPage } from "./html.js";
export {
  type MethodSpec,
  type SurfaceRun,
  type Landscape,
  batchedValues,
  surfaceContours,
  raceOnSurface,
  landscape,
  contourRows,
  type PathLayer,
  contourPlotSpec,
  lossPanelSpec,
  landscapeSpec,
  surfaceFromProblem,
  fitView,
} from "./landscape.js";
export {
  filterNormalizedDirection,
  lossOnPlane,
  subtract,
  projectTrajectory,
  type NetworkLandscape,
  networkLandscape,
  networkLandscapeSpec,
} from "./netLandscape.js";
export {
  FIGURES,
  type RenderedFigure,
  renderFigures,
  figuresPage,
  type Figure,
  type FigureOptions,
  figure87,
  symmetricEigen2,
  figure82,
  figure83,
  figure84,
  figure85,
  figure86,
  figureAdaptive,
  figurePolyak,
  type DigitsRun,
  trainDigitsMlp,
  figure81,
  figureGradientNoise,
  figureSpectrum,
  figureRnnJacobians,
} from "./figures/index.js";
export { trainReport, type Report } from "./trainReport.js";
export { diagnoseReport } from "./diagnoseReport.js";
