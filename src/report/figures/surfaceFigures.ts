/**
 * The chapter's figures drawn on 2-D surfaces (8.2–8.6) and the adaptive methods on one surface.
 * Each runs the methods it draws (registry methods where they exist, short host loops for clipping
 * and noisy gradients) and states its setting in the caption.
 */
import { precisionOf, random } from "../../engine/index.js";
import { Objective, SURFACES, type Surface } from "../../problems/index.js";
import { panels } from "../charts.js";
import { sig } from "../format.js";
import {
  contourPlotSpec,
  lossPanelSpec,
  raceOnSurface,
  surfaceContours,
  type MethodSpec,
  type SurfaceRun,
} from "../landscape.js";
import type { Figure, FigureOptions } from "./figure.js";

const precision = precisionOf("float64");

const finalF = (r: SurfaceRun) => sig(r.losses[r.losses.length - 1] ?? NaN, 3);

/** Paths over contours beside f along the path, under one caption. */
function raceFigure(
  file: string,
  title: string,
  surface: Surface,
  runs: SurfaceRun[],
  caption: string,
  opts: { gridSize: number; extra?: object[] },
): Figure {
  const { contours } = surfaceContours(surface, precision, { n: opts.gridSize });
  const spec = panels(
    title,
    [
      contourPlotSpec("paths over the contours of f", surface.view, contours, runs, {
        minimum: surface.minimum,
        extra: opts.extra,
      }),
      lossPanelSpec("f along the path", runs),
    ],
    caption,
  );
  return { file, title, caption, spec };
}

function race(
  file: string,
  title: string,
  surfaceName: string,
  methods: MethodSpec[],
  steps: number,
  opts: FigureOptions & { from?: [number, number] },
  describe: (runs: SurfaceRun[]) => string,
): Figure {
  const surface = SURFACES[surfaceName];
  const runs = raceOnSurface(surface, methods, { steps, precision, from: opts.from });
  return raceFigure(file, title, surface, runs, describe(runs), { gridSize: opts.quick ? 41 : 81 });
}

/** Eigenvectors of a symmetric 2×2 matrix [[a, b], [b, d]], largest eigenvalue first. */
export function symmetricEigen2(h: ArrayLike<number>): {
  values: [number, number];
  vectors: [[number, number], [number, number]];
} {
  const [a, b, d] = [h[0], h[1], h[3]];
  const mean = (a + d) / 2;
  const radius = Math.hypot((a - d) / 2, b);
  const values: [number, number] = [mean + radius, mean - radius];
  const vector = (l: number): [number, number] => {
    const [x, y] = Math.abs(b) > 1e-12 ? [l - d, b] : Math.abs(a - l) < Math.abs(d - l) ? [1, 0] : [0, 1];
    const n = Math.hypot(x, y);
    return [x / n, y / n];
  };
  return { values, vectors: [vector(values[0]), vector(values[1])] };
}

/** 8.2: the saddle x² − y², its Hessian's eigenvectors at the critical point, and gradient descent escaping slowly. */
export function figure82(opts: FigureOptions): Figure {
  const surface = SURFACES.saddle;
  const problem = surface.problem(precision);
  const objective = new Objective(problem, precision);
  const { values, vectors } = symmetricEigen2(objective.hessian([0, 0]));
  objective.dispose();
  problem.dispose();
  const arrows = vectors.map(([vx, vy], k) => ({
    x: 0,
    y: 0,
    x2: 1.8 * vx,
    y2: 1.8 * vy,
    label: `λ = ${sig(values[k], 3)}`,
  }));
  const extra = [
    {
      data: { values: arrows },
      mark: { type: "rule", strokeWidth: 2.5, color: "#333" },
      encoding: {
        x: { field: "x", type: "quantitative" },
        y: { field: "y", type: "quantitative" },
        x2: { field: "x2" },
        y2: { field: "y2" },
      },
    },
    {
      data: { values: arrows },
      mark: { type: "text", dx: 6, dy: -8, align: "left", fontSize: 11 },
      encoding: {
        x: { field: "x2", type: "quantitative" },
        y: { field: "y2", type: "quantitative" },
        text: { field: "label" },
      },
    },
  ];
  const steps = opts.quick ? 20 : 40;
  const runs = raceOnSurface(
    surface,
    [{ method: "book.sgd", config: { lr: 0.1 }, label: "gradient descent, ε = 0.1" }],
    { steps, precision },
  );
  const caption =
    `f = x² − y². The Hessian at the critical point (0, 0) has eigenvalues ` +
    `${values.map((v) => sig(v, 3)).join(" and ")} with eigenvectors along the axes (arrows): a minimum along one, a ` +
    `maximum along the other. Gradient descent from (−2, 0.05) runs to the saddle along x and leaves it only as ` +
    `the tiny y component grows by 1.2× a step (${steps} steps, f = ${finalF(runs[0])} at the end).`;
  return raceFigure("fig-8-2-saddle.svg", "Figure 8.2: a saddle point", surface, runs, caption, {
    gridSize: opts.quick ? 41 : 81,
    extra,
  });
}

/** Plain gradient descent with optional norm clipping on a host loop (the registry's runs have no clipping flag). */
function clippedDescent(surface: Surface, lr: number, steps: number, clip?: number): SurfaceRun {
  const problem = surface.problem(precision);
  const objective = new Objective(problem, precision);
  const path: [number, number][] = [[...surface.start]];
  const losses: number[] = [];
  try {
    for (let k = 0; k <= steps; k++) {
      const [x, y] = path[path.length - 1];
      const [f, g] = objective.valueAndGrad([x, y]);
      losses.push(f);
      if (k === steps) break;
      const norm = Math.hypot(g[0], g[1]);
      // Eq. 10.48: if ‖g‖ > v, g ← g v / ‖g‖.
      const scale = clip !== undefined && norm > clip ? clip / norm : 1;
      path.push([x - lr * scale * g[0], y - lr * scale * g[1]]);
    }
  } finally {
    objective.dispose();
    problem.dispose();
  }
  return { label: clip === undefined ? "no clipping" : `clipped at ‖g‖ ≤ ${clip}`, path, losses, message: "" };
}

/** 8.3: the cliff, crossed with and without gradient clipping. */
export function figure83(opts: FigureOptions): Figure {
  const surface = SURFACES.cliff;
  const steps = opts.quick ? 40 : 80;
  const lr = 0.5;
  const runs = [clippedDescent(surface, lr, steps), clippedDescent(surface, lr, steps, 1)];
  const jump = (r: SurfaceRun) =>
    Math.max(...r.path.slice(1).map((p, i) => Math.hypot(p[0] - r.path[i][0], p[1] - r.path[i][1])));
  const caption =
    `Gradient descent, ε = ${lr}, ${steps} steps from (−3.5, 1) on ${surface.description}. At the edge ` +
    `the gradient is huge: the unclipped step jumps ${sig(jump(runs[0]), 3)} units, off the picture; clipping the ` +
    `gradient norm at 1 keeps every step at most ${sig(jump(runs[1]), 3)} and the run goes down the cliff (final ` +
    `f: ${finalF(runs[0])} without, ${finalF(runs[1])} with clipping).`;
  return raceFigure(
    "fig-8-3-cliff.svg",
    "Figure 8.3: a cliff, with and without gradient clipping",
    surface,
    runs,
    caption,
    { gridSize: opts.quick ? 41 : 81 },
  );
}

/** 8.4: local descent goes the long way around a mountain. */
export function figure84(opts: FigureOptions): Figure {
  const steps = opts.quick ? 60 : 150;
  return race(
    "fig-8-4-mountain.svg",
    "Figure 8.4: local structure misleads, a path around a mountain",
    "mountain",
    [{ method: "book.sgd", config: { lr: 0.5 }, label: "gradient descent, ε = 0.5" }],
    steps,
    opts,
    (runs) =>
      `${SURFACES.mountain.description}. Started at (−3, 0.3) behind the mountain, gradient descent follows the ` +
      `local gradient around it to the minimum near (3, 0), a path much longer than the straight line (` +
      `${runs.map((r) => `${r.path.length - 1} steps, final f = ${finalF(r)}`).join("; ")}).`,
  );
}

/** 8.5: momentum against plain gradient descent on an ill-conditioned quadratic. */
export function figure85(opts: FigureOptions): Figure {
  const steps = opts.quick ? 30 : 60;
  return race(
    "fig-8-5-momentum.svg",
    "Figure 8.5: momentum on an ill-conditioned quadratic",
    "ill-conditioned",
    [
      { method: "book.sgd", config: { lr: 0.075 }, label: "gradient descent, ε = 0.075" },
      { method: "book.momentum", config: { lr: 0.1, alpha: 0.5 }, label: "momentum, ε = 0.1, α = 0.5" },
    ],
    steps,
    opts,
    (runs) =>
      `${SURFACES["ill-conditioned"].description}, ${steps} steps from (−4.2, −1.8). Gradient descent with a step ` +
      `near 2/λ_max zig-zags across the narrow valley and crawls along it; momentum (Alg. 8.2) lets the ` +
      `oscillations across the valley cancel while it gathers speed along it (final f: ` +
      `${runs.map((r) => `${r.label.split(",")[0]} ${finalF(r)}`).join(", ")}).`,
  );
}

/** 8.6: steepest descent with exact line searches zig-zags; conjugate gradients finishes in n = 2 steps. */
export function figure86(opts: FigureOptions): Figure {
  const steps = opts.quick ? 10 : 20;
  return race(
    "fig-8-6-line-search.svg",
    "Figure 8.6: steepest descent with exact line searches vs conjugate gradients",
    "ill-conditioned",
    [
      {
        method: "cg-fr",
        config: { lineSearch: "exact", restartEvery: 1 },
        label: "steepest descent, exact line search",
      },
      { method: "book.cg_fr", config: { lineSearch: "exact" }, label: "conjugate gradients (Alg. 8.9)" },
    ],
    steps,
    { ...opts, from: [3.4, 2.1] },
    (runs) =>
      `${SURFACES["ill-conditioned"].description}, from (3.4, 2.1), where the gradient is far from an eigenvector. ` +
      `With exact line searches each steepest-descent direction is orthogonal to the last, so the path zig-zags (` +
      `${runs[0].path.length - 1} steps, f = ${finalF(runs[0])}); conjugate gradients reaches the minimum in n = ` +
      `2 steps (f = ${finalF(runs[1])} after ${runs[1].path.length - 1} iterations).`,
  );
}

/** Adam, RMSProp and AdaGrad on one surface. */
export function figureAdaptive(opts: FigureOptions): Figure {
  const steps = opts.quick ? 100 : 300;
  const methods: MethodSpec[] = [
    { method: "book.adagrad", config: { lr: 0.5 }, label: "AdaGrad, ε = 0.5" },
    { method: "book.rmsprop", config: { lr: 0.02 }, label: "RMSProp, ε = 0.02" },
    { method: "book.adam", config: { lr: 0.05 }, label: "Adam, ε = 0.05" },
  ];
  return race(
    "fig-adaptive.svg",
    "Adaptive learning rates (8.5): AdaGrad, RMSProp, Adam",
    "beale",
    methods,
    steps,
    opts,
    (runs) =>
      `${SURFACES.beale.description}; ${steps} steps each from (1, 1.5), book forms (Alg. 8.4, 8.5, 8.7). Final f: ` +
      `${runs.map((r) => `${r.label.split(",")[0]} ${finalF(r)}`).join(", ")}.`,
  );
}

/**
 * Polyak averaging (8.7.3) on a valley whose gradients are noisy: the average sits nearer the minimum than the iterate.
 */
export function figurePolyak(opts: FigureOptions): Figure {
  const surface = SURFACES["ill-conditioned"];
  const steps = opts.quick ? 100 : 300;
  const lr = 0.03;
  const noise = 3;
  const burnIn = Math.round(steps / 2);
  const problem = surface.problem(precision);
  const objective = new Objective(problem, precision);
  const draws = random.normal(random.randomKey(8), 2 * steps);
  const iterate: [number, number][] = [[...surface.start]];
  const average: [number, number][] = [[...surface.start]];
  try {
    for (let k = 1; k <= steps; k++) {
      const [x, y] = iterate[k - 1];
      const [, g] = objective.valueAndGrad([x, y]);
      iterate.push([x - lr * (g[0] + noise * draws[2 * k - 2]), y - lr * (g[1] + noise * draws[2 * k - 1])]);
      // Uniform average θ̂ = 1/t Σ θ(i) (8.7.3) of the iterates
      // after a burn-in: the early transient would drag it back.
      const since = k - burnIn;
      const [ax, ay] = average[k - 1];
      average.push(since <= 0 ? iterate[k] : [ax + (iterate[k][0] - ax) / since, ay + (iterate[k][1] - ay) / since]);
    }
  } finally {
    objective.dispose();
  }
  const values = (path: [number, number][]) => {
    const p = surface.problem(precision);
    const o = new Objective(p, precision);
    const out = path.map((q) => o.value(q));
    o.dispose();
    p.dispose();
    return out;
  };
  const runs: SurfaceRun[] = [
    { label: "noisy SGD iterate θ", path: iterate, losses: values(iterate), message: "" },
    { label: "Polyak average θ̂", path: average, losses: values(average), message: "" },
  ];
  const tail = (r: SurfaceRun) =>
    r.losses.slice(-Math.floor(steps / 4)).reduce((a, b) => a + b, 0) / Math.floor(steps / 4);
  const [bouncing, averaged] = [tail(runs[0]), tail(runs[1])];
  const caption =
    `Constant-rate SGD (ε = ${lr}) on ${surface.description}, the gradient plus Gaussian noise of ` +
    `standard deviation ${noise} per coordinate (seed 8), ${steps} steps; θ̂ is the uniform average of the iterates ` +
    `after step ${burnIn} (before it, θ̂ = θ). Mean f over the last quarter: iterate ${sig(bouncing, 3)}, average ` +
    `${sig(averaged, 3)}` +
    (averaged < bouncing
      ? ": the iterate keeps bouncing around the minimum at the noise's scale while the average settles nearer it."
      : ": here the average does not beat the iterate.");
  return raceFigure("fig-polyak.svg", "Polyak averaging (8.7.3) on a noisy valley", surface, runs, caption, {
    gridSize: opts.quick ? 41 : 81,
  });
}
