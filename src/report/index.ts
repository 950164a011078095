/** Charts (Vega-Lite specs rendered to SVG), reports, loss landscapes and the chapter's figures. */
export * from "./charts.js";
export * from "./format.js";
export * from "./contours.js";
export * from "./render.js";
export * from "./html.js";
export * from "./landscape.js";
export * from "./netLandscape.js";
export * from "./figures/index.js";
export { trainReport, type Report } from "./trainReport.js";
export { diagnoseReport } from "./diagnoseReport.js";
