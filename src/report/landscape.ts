/**
 * Optimizer races on a 2-D surface: each method's path over the surface's contour lines, with start
 * and end marks, beside f against the step. Every method of the registry (first-order and solvers) runs
 * through the same `MethodEntry.run` that `descent optimize` uses, with its trajectory recorded.
 */
import { jit, vmap } from "@jax-js/jax";
import type { TopLevelSpec } from "vega-lite";
import { toDevice, type Precision } from "../engine/index.js";
import { methodByName } from "../methods/index.js";
// Not problems/index.js: that also loads problem modules from disk, and the playground bundles this file.
import { Objective } from "../problems/objective.js";
import type { Problem } from "../problems/problem.js";
import type { Surface } from "../problems/surfaces.js";
import { axis, panels, PALETTE, SCHEMA, type Row } from "./charts.js";
import { contourLevels, contourLines, sampleGrid, type ContourLine, type Grid } from "./contours.js";
import { sig } from "./format.js";

export interface MethodSpec {
  method: string;
  config?: Record<string, unknown>;
  /** Legend label (default: the method name). */
  label?: string;
}

export interface SurfaceRun {
  label: string;
  /** θ before the first step, then after each step. */
  path: [number, number][];
  /** f along the path. */
  losses: number[];
  message: string;
}

export interface Landscape {
  surface: Surface;
  grid: Grid;
  contours: ContourLine[];
  runs: SurfaceRun[];
}

/** f at many points in one compiled, batched call. */
export function batchedValues(
  surface: Surface,
  precision: Precision,
): { evaluate: (points: Float64Array) => Float64Array; dispose: () => void } {
  const problem = surface.problem(precision);
  const f = jit(vmap(problem.f));
  return {
    evaluate: (points) =>
      Float64Array.from(f(toDevice(points, [points.length / 2, 2], precision)).dataSync() as ArrayLike<number>),
    dispose: () => (f.dispose(), problem.dispose()),
  };
}

/** The surface's contour lines over its view box (`levels` lines from an n × n grid). */
export function surfaceContours(
  surface: Surface,
  precision: Precision,
  opts: { n?: number; levels?: number } = {},
): { grid: Grid; contours: ContourLine[] } {
  const values = batchedValues(surface, precision);
  try {
    const grid = sampleGrid(surface.view, opts.n ?? 81, values.evaluate);
    const contours = contourLevels(grid.values, opts.levels ?? 14, surface.logLevels).flatMap((level) =>
      contourLines(grid, level),
    );
    return { grid, contours };
  } finally {
    values.dispose();
  }
}

/**
 * Runs each method from the surface's start (or `from`): first-order methods
 * `steps` steps, solvers at most `steps` iterations (they stop at ‖g‖ ≤ tol).
 */
export function raceOnSurface(
  surface: Surface,
  methods: MethodSpec[],
  opts: { steps: number; from?: [number, number]; precision: Precision; tol?: number },
): SurfaceRun[] {
  const start = Float64Array.from(opts.from ?? surface.start);
  const values = batchedValues(surface, opts.precision);
  try {
    return methods.map(({ method, config, label }) => {
      const problem = surface.problem(opts.precision);
      const objective = new Objective(problem, opts.precision);
      try {
        const result = methodByName(method).run(objective, Float64Array.from(start), config ?? {}, {
          maxIter: opts.steps,
          tol: opts.tol,
          recordTrajectory: true,
        });
        const points = [start, ...(result.trajectory ?? [])].filter(
          (p) => Number.isFinite(p[0]) && Number.isFinite(p[1]),
        );
        const path = points.map((p) => [p[0], p[1]] as [number, number]);
        const losses = Array.from(values.evaluate(Float64Array.from(path.flat())));
        return { label: label ?? method, path, losses, message: result.message };
      } finally {
        objective.dispose();
        problem.dispose();
      }
    });
  } finally {
    values.dispose();
  }
}

export function landscape(
  surface: Surface,
  methods: MethodSpec[],
  opts: { steps: number; from?: [number, number]; precision: Precision; gridSize?: number },
): Landscape {
  const { grid, contours } = surfaceContours(surface, opts.precision, { n: opts.gridSize });
  return { surface, grid, contours, runs: raceOnSurface(surface, methods, opts) };
}

/** Rows of contour polylines for a line mark (one `detail` per line, drawn in order). */
export function contourRows(contours: ContourLine[]): Row[] {
  return contours.flatMap((line, id) => line.points.map(([x, y], i) => ({ line: id, i, x, y, level: line.level })));
}

export interface PathLayer {
  label: string;
  path: [number, number][];
}

/**
 * Paths over contour lines in a fixed box: grey contours, one coloured line per path, a black start
 * mark, a square end mark per path, and a cross at the known minimum. Marks are clipped to the box.
 */
export function contourPlotSpec(
  title: string,
  box: { x: [number, number]; y: [number, number] },
  contours: ContourLine[],
  paths: PathLayer[],
  opts: { minimum?: [number, number]; width?: number; height?: number; extra?: object[]; axes?: [string, string] } = {},
): TopLevelSpec {
  const [xTitle, yTitle] = opts.axes ?? ["θ₁", "θ₂"];
  const x = {
    field: "x",
    type: "quantitative",
    scale: { domain: box.x, nice: false, zero: false },
    axis: axis(xTitle),
  };
  const y = {
    field: "y",
    type: "quantitative",
    scale: { domain: box.y, nice: false, zero: false },
    axis: axis(yTitle),
  };
  const labels = paths.map((p) => p.label);
  const color = {
    field: "method",
    type: "nominal",
    title: null,
    sort: labels,
    scale: { domain: labels, range: PALETTE },
    legend: { labelLimit: 320, orient: "bottom", direction: "vertical" },
  };
  const pathRows = paths.flatMap((p) => p.path.map(([px, py], step) => ({ method: p.label, step, x: px, y: py })));
  const ends = paths
    .filter((p) => p.path.length > 0)
    .map((p) => ({ method: p.label, x: p.path[p.path.length - 1][0], y: p.path[p.path.length - 1][1] }));
  const starts = [
    ...new Map(
      paths.filter((p) => p.path.length > 0).map((p) => [`${p.path[0]}`, { x: p.path[0][0], y: p.path[0][1] }]),
    ).values(),
  ];
  const layers: object[] = [
    {
      data: { values: contourRows(contours) },
      mark: { type: "line", color: "#b8b8b8", strokeWidth: 0.8, clip: true },
      encoding: { x, y, detail: { field: "line" }, order: { field: "i" } },
    },
    {
      data: { values: pathRows },
      mark: {
        type: "line",
        strokeWidth: 1.8,
        clip: true,
        point: paths.every((p) => p.path.length <= 60) ? { size: 14, filled: true } : false,
      },
      encoding: { x, y, color, order: { field: "step" } },
    },
    {
      data: { values: starts },
      mark: { type: "point", shape: "circle", size: 70, filled: true, color: "black", clip: true },
      encoding: { x, y },
    },
    {
      data: { values: ends },
      mark: { type: "point", shape: "square", size: 80, filled: true, stroke: "black", strokeWidth: 0.8, clip: true },
      encoding: { x, y, color },
    },
    ...(opts.extra ?? []),
  ];
  if (opts.minimum)
    layers.push({
      data: { values: [{ x: opts.minimum[0], y: opts.minimum[1] }] },
      mark: { type: "point", shape: "cross", size: 90, filled: true, color: "#333", clip: true },
      encoding: { x, y },
    });
  return {
    $schema: SCHEMA,
    title,
    width: opts.width ?? 380,
    height: opts.height ?? 300,
    layer: layers,
  } as TopLevelSpec;
}

/** f against the step, one line per run; log scale when every value is positive. */
export function lossPanelSpec(
  title: string,
  runs: { label: string; losses: number[] }[],
  opts: { width?: number; height?: number; yTitle?: string } = {},
): TopLevelSpec {
  const finite = runs.flatMap((r) =>
    r.losses.map((f, step) => ({ method: r.label, step, f })).filter((row) => Number.isFinite(row.f)),
  );
  // A log scale when f is non-negative; a run that lands on f = 0 exactly ends its line there.
  const log = finite.some((r) => r.f > 0) && finite.every((r) => r.f >= 0);
  const rows = log ? finite.filter((r) => r.f > 0) : finite;
  // Unbounded runs (f → −∞ on a saddle) would flatten every other line: symlog keeps them readable.
  const sorted = finite.map((r) => Math.abs(r.f)).sort((a, b) => a - b);
  const wide =
    !log &&
    sorted.length > 0 &&
    sorted[sorted.length - 1] > 1e3 * Math.max(sorted[Math.floor(sorted.length / 2)], 1e-12);
  const labels = runs.map((r) => r.label);
  return {
    $schema: SCHEMA,
    title,
    width: opts.width ?? 300,
    height: opts.height ?? 300,
    data: { values: rows },
    mark: { type: "line", strokeWidth: 1.6 },
    encoding: {
      x: { field: "step", type: "quantitative", axis: axis("step", { integer: true }) },
      y: {
        field: "f",
        type: "quantitative",
        scale: log ? { type: "log" } : wide ? { type: "symlog" } : { zero: false },
        axis: axis(opts.yTitle ?? (log ? "f (log scale)" : wide ? "f (symlog scale)" : "f")),
      },
      // The paths panel beside it carries the legend; the colours match.
      color: {
        field: "method",
        type: "nominal",
        title: null,
        sort: labels,
        scale: { domain: labels, range: PALETTE },
        legend: null,
      },
    },
  } as TopLevelSpec;
}

/** The landscape figure: paths over contours beside the loss-vs-step panel, with a caption of the final values. */
export function landscapeSpec(l: Landscape, caption?: string): TopLevelSpec {
  const finals = l.runs
    .map((r) => `${r.label}: f = ${sig(r.losses[r.losses.length - 1] ?? NaN)} after ${r.path.length - 1} steps`)
    .join("; ");
  return panels(
    `${l.surface.name}: ${l.surface.description}`,
    [
      contourPlotSpec("paths over the contours of f", l.surface.view, l.contours, l.runs, {
        minimum: l.surface.minimum,
      }),
      lossPanelSpec("f along the path", l.runs),
    ],
    caption ?? finals,
  );
}

/** A 2-D problem from a JSON spec file as a surface; its view box is fitted to the runs (see `fitView`). */
export function surfaceFromProblem(
  name: string,
  build: (precision: Precision) => Problem,
  start: [number, number],
): Surface {
  return {
    name,
    description: "2-D problem from a file",
    problem: build,
    start,
    view: { x: [start[0] - 1, start[0] + 1], y: [start[1] - 1, start[1] + 1] },
  };
}

/** The smallest box holding the start and every path, with a 15% margin (for problems without a view box). */
export function fitView(surface: Surface, runs: SurfaceRun[]): Surface {
  const points = [surface.start, ...runs.flatMap((r) => r.path)];
  const span = (k: 0 | 1): [number, number] => {
    const lo = Math.min(...points.map((p) => p[k]));
    const hi = Math.max(...points.map((p) => p[k]));
    const margin = Math.max(0.15 * (hi - lo), 0.5);
    return [lo - margin, hi + margin];
  };
  return { ...surface, view: { x: span(0), y: span(1) } };
}
