import type { TopLevelSpec } from "vega-lite";

/** One figure of `descent figures`: a file name, a title, the caption stating its setting, and the spec. */
export interface Figure {
  file: string;
  title: string;
  caption: string;
  spec: TopLevelSpec;
}

export interface FigureOptions {
  /** Smaller runs (tests): fewer steps and coarser grids, the same pictures. */
  quick: boolean;
}
