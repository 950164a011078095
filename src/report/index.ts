/** Reports: Vega-Lite chart specs, rendered to SVG (headless), and standalone HTML pages. */
export { renderSvg, lineChartSpec } from "./render.js";
export { xyChartSpec, type XyChartOptions } from "./charts.js";
export { htmlPage, type ReportSection } from "./html.js";
export { trainReport } from "./trainReport.js";
export { diagnoseReport, type DiagnoseReportData } from "./diagnoseReport.js";
