/**
 * The Distill views (Goh, "Why Momentum Really Works", 2017) for quadratic surfaces: the error of each
 * eigen-component along the first method's path, and the (learning rate, momentum) phase diagram of
 * heavy-ball momentum's convergence rate, computed live by the library.
 */
import {
  eigenComponentErrors,
  momentumPhaseDiagram,
  momentumRate,
  optimalMomentum,
  type Surface,
  type SurfaceRun,
} from "descent/browser";
import { surfacePointCurvature } from "./pointCurvature.js";
import type { DTypeChoice, MethodChoice } from "./state.js";
import { drawLoss } from "./svg.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
/** Phase-diagram cells per side; 240 px / 60 = 4 px each. */
export const PHASE_GRID = 60;
const PHASE_PX = 240;

/** The phase diagram's axes for eigenvalues up to λmax: ε over (0, 4/λmax], α over [0, 1). */
export function phaseAxes(lambdaMax: number): { lrs: number[]; momenta: number[] } {
  return {
    lrs: Array.from({ length: PHASE_GRID }, (_, i) => ((i + 1) / PHASE_GRID) * (4 / lambdaMax)),
    momenta: Array.from({ length: PHASE_GRID }, (_, j) => j / PHASE_GRID),
  };
}

/** What the test reads: the eigenvalues, the component errors and the phase grid drawn. */
export const distillProbe = {
  quadratic: false,
  eigenvalues: [] as number[],
  components: [] as number[][],
  phase: [] as number[],
  rate: null as number | null,
};

/** A surface is quadratic when its Hessian at the start equals its Hessian at the minimum. */
function quadraticHessian(surface: Surface, start: [number, number], dtype: DTypeChoice, seed: number) {
  if (!surface.minimum) return null;
  const at = surfacePointCurvature(surface, surface.minimum, undefined, dtype, seed);
  const other = surfacePointCurvature(surface, start, undefined, dtype, seed);
  const same = at.hessian.flat().every((v, i) => Math.abs(v - other.hessian.flat()[i]) <= 1e-9 * (1 + Math.abs(v)));
  return same ? at : null;
}

/** The heavy-ball (ε, α) of a method, when it is plain SGD or Alg. 8.2's momentum. */
function heavyBall(m: MethodChoice | undefined): { lr: number; momentum: number } | null {
  if (!m || m.lr === undefined) return null;
  if (m.name === "book.sgd") return { lr: m.lr, momentum: 0 };
  if (m.name === "book.momentum") return { lr: m.lr, momentum: m.momentum ?? 0.9 };
  return null;
}

// From the grid's best rate (dark blue) to 1 (pale yellow); at or past 1 (no convergence) grey.
const shade = (rate: number, best: number) => {
  if (rate >= 1) return "#bbb";
  const t = (rate - best) / (1 - best || 1);
  return `hsl(${230 - 170 * t}, 70%, ${25 + 60 * t}%)`;
};

export function drawDistill(
  surface: Surface,
  start: [number, number],
  runs: SurfaceRun[],
  methods: MethodChoice[],
  dtype: DTypeChoice,
  seed: number,
): void {
  const section = $("distill");
  const quad = quadraticHessian(surface, start, dtype, seed);
  distillProbe.quadratic = quad !== null;
  section.hidden = quad === null;
  if (!quad || !surface.minimum || runs.length === 0) return;
  const eigenvalues = quad.eigenvalues;
  distillProbe.eigenvalues = [...eigenvalues];
  const components = eigenComponentErrors(runs[0].path, surface.minimum, quad.eigenvectors);
  distillProbe.components = components;
  drawLoss(
    $<SVGSVGElement & HTMLElement>("components"),
    components.map((losses, i) => ({ label: `λ = ${eigenvalues[i].toPrecision(4)}`, path: [], losses, message: "" })),
    runs[0].path.length - 1,
    "|qᵢᵀ(θ − θ*)|",
  );
  $("components-legend").textContent =
    `|qᵢᵀ(θ − θ*)| of ${runs[0].label}: ` +
    `blue λ = ${eigenvalues[0].toPrecision(4)}, red λ = ${eigenvalues[1].toPrecision(4)}`;

  const lambdaMax = Math.max(...eigenvalues);
  const { lrs, momenta } = phaseAxes(lambdaMax);
  const phase = momentumPhaseDiagram(eigenvalues, lrs, momenta);
  distillProbe.phase = Array.from(phase);
  const canvas = $<HTMLCanvasElement>("phase");
  const ctx = canvas.getContext("2d")!;
  const cell = PHASE_PX / PHASE_GRID;
  const gridBest = Math.min(...phase);
  for (let j = 0; j < PHASE_GRID; j++)
    for (let i = 0; i < PHASE_GRID; i++) {
      ctx.fillStyle = shade(phase[j * PHASE_GRID + i], gridBest);
      // Momentum grows upwards.
      ctx.fillRect(i * cell, PHASE_PX - (j + 1) * cell, cell, cell);
    }
  const mark = (lr: number, momentum: number, color: string) => {
    ctx.beginPath();
    ctx.arc((lr / lrs[PHASE_GRID - 1]) * PHASE_PX, PHASE_PX - momentum * PHASE_PX, 5, 0, 2 * Math.PI);
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.stroke();
  };
  const lambdaMin = Math.min(...eigenvalues);
  const best = lambdaMin > 0 ? optimalMomentum(lambdaMin, lambdaMax) : null;
  if (best) mark(best.lr, best.momentum, "#fff");
  const hb = heavyBall(methods[0]);
  distillProbe.rate = hb ? momentumRate(hb.lr, hb.momentum, eigenvalues) : null;
  if (hb) mark(hb.lr, hb.momentum, "#d62728");
  const out = $("phase-numbers");
  out.replaceChildren();
  const line = (text: string, name: string, exact?: number) => {
    const p = document.createElement("p");
    p.textContent = text;
    p.dataset.name = name;
    if (exact !== undefined) p.dataset.exact = String(exact);
    out.append(p);
  };
  line(
    `ε from ${lrs[0].toPrecision(3)} to ${lrs[PHASE_GRID - 1].toPrecision(3)} (right), ` +
      `α from 0 to ${momenta[PHASE_GRID - 1].toPrecision(3)} (up); grey: no convergence`,
    "axes",
  );
  line(`grid's best rate ${gridBest.toPrecision(6)} (darkest blue)`, "grid best", gridBest);
  if (best)
    line(
      `optimum (white): ε* = ${best.lr.toPrecision(4)}, α* = ${best.momentum.toPrecision(4)}, ` +
        `rate (√κ − 1)/(√κ + 1) = ${best.rate.toPrecision(6)}`,
      "optimum",
      best.rate,
    );
  line(
    hb
      ? `${methods[0].name} (red): ε = ${hb.lr}, α = ${hb.momentum}, rate ${distillProbe.rate!.toPrecision(6)} per step`
      : `the first method (${methods[0]?.name}) is not heavy-ball momentum (book.sgd or book.momentum): no rate marked`,
    "rate",
    distillProbe.rate ?? undefined,
  );
}
