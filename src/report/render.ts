import type { TopLevelSpec } from "vega-lite";

// vega-lite's warnings would land on stdout/stderr of a CLI whose stdout must stay clean.
const quietLogger = {
  level: () => quietLogger,
  error() {
    return quietLogger;
  },
  warn() {
    return quietLogger;
  },
  info() {
    return quietLogger;
  },
  debug() {
    return quietLogger;
  },
};

/** Renders a Vega-Lite spec to a standalone SVG string (headless, no canvas needed); a dataflow error throws. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // Loaded on first use: vega takes ~0.9 s to import, which `import "descent"` should not pay.
  const [vega, { compile }] = await Promise.all([import("vega"), import("vega-lite")]);
  const errors: unknown[] = [];
  // Vega logs dataflow errors and renders on: collect them, so a broken chart is an error rather than a blank.
  const logger = {
    ...quietLogger,
    level: () => logger,
    error: (...args: unknown[]) => (errors.push(args.map(String).join(" ")), logger),
  };
  const view = new vega.View(vega.parse(compile(spec, { logger: quietLogger as never }).spec), {
    renderer: "none",
    logger: logger as never,
  });
  try {
    const svg = await view.toSVG();
    if (errors.length)
      throw new Error(
        `chart "${JSON.stringify((spec as { title?: unknown }).title ?? "")}" failed to render: ${errors[0]}`,
      );
    return svg;
  } finally {
    view.finalize();
  }
}
