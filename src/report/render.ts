import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

// vega-lite's warnings would land on stdout/stderr of a CLI whose stdout must stay clean.
const quietLogger = { level: () => quietLogger, error() { return quietLogger; }, warn() { return quietLogger; }, info() { return quietLogger; }, debug() { return quietLogger; } };

/** Renders a Vega-Lite spec to a standalone SVG string (headless, no canvas needed). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec, { logger: quietLogger as never }).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
