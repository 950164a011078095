/** Small SVG drawing helpers: the contour map with paths, and the loss-vs-step chart. */
import type { ContourLine, Surface, SurfaceRun } from "descent/browser";

const NS = "http://www.w3.org/2000/svg";
export const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];

export function el(name: string, attrs: Record<string, string | number>, parent?: Element): SVGElement {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  parent?.appendChild(node);
  return node;
}

/** Maps surface coordinates to the map's pixels (y up) and back. */
export interface MapFrame {
  size: number;
  toPx(p: [number, number]): [number, number];
  fromPx(px: number, py: number): [number, number];
}

export function mapFrame(view: Surface["view"], size: number): MapFrame {
  const [x0, x1] = view.x;
  const [y0, y1] = view.y;
  return {
    size,
    toPx: ([x, y]) => [((x - x0) / (x1 - x0)) * size, (1 - (y - y0) / (y1 - y0)) * size],
    fromPx: (px, py) => [x0 + (px / size) * (x1 - x0), y0 + (1 - py / size) * (y1 - y0)],
  };
}

// A diverging path reaches finite but huge pixels; toFixed writes ≥ 1e21 in exponent form, which SVG rejects.
const pixel = (v: number) => Math.max(-1e6, Math.min(1e6, v)).toFixed(2);
const polyline = (points: [number, number][]) => points.map(([a, b]) => `${pixel(a)},${pixel(b)}`).join(" ");

/** Contours, then each run's path up to `step`, its current point, and the draggable start handle. */
export function drawMap(
  svg: SVGSVGElement,
  frame: MapFrame,
  contours: ContourLine[],
  runs: SurfaceRun[],
  step: number,
  start: [number, number],
  minimum?: [number, number],
): void {
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${frame.size} ${frame.size}`);
  el("rect", { x: 0, y: 0, width: frame.size, height: frame.size, fill: "#fbfbf8" }, svg);
  const levels = [...new Set(contours.map((c) => c.level))];
  for (const line of contours) {
    const shade = 200 - Math.round((150 * levels.indexOf(line.level)) / Math.max(1, levels.length - 1));
    el(
      "polyline",
      {
        points: polyline(line.points.map(frame.toPx)),
        fill: "none",
        stroke: `rgb(${shade},${shade},${shade})`,
        "stroke-width": 1,
      },
      svg,
    );
  }
  if (minimum) {
    const [mx, my] = frame.toPx(minimum);
    el(
      "path",
      {
        d: `M${mx - 6},${my - 6}L${mx + 6},${my + 6}M${mx - 6},${my + 6}L${mx + 6},${my - 6}`,
        stroke: "#333",
        "stroke-width": 2,
      },
      svg,
    );
  }
  runs.forEach((run, k) => {
    const shown = run.path.slice(0, Math.min(step, run.path.length - 1) + 1);
    const g = el("g", { class: "run", "data-method": run.label }, svg);
    el(
      "polyline",
      { points: polyline(shown.map(frame.toPx)), fill: "none", stroke: COLORS[k % COLORS.length], "stroke-width": 2 },
      g,
    );
    const [cx, cy] = frame.toPx(shown[shown.length - 1]);
    el("circle", { cx, cy, r: 4, fill: COLORS[k % COLORS.length] }, g);
  });
  const [sx, sy] = frame.toPx(start);
  el("circle", { cx: sx, cy: sy, r: 8, fill: "white", stroke: "black", "stroke-width": 2, class: "start-handle" }, svg);
}

/** log10 f (shifted when f reaches zero or below) against the step, one line per run; `quantity` names f. */
export function drawLoss(svg: SVGSVGElement, runs: SurfaceRun[], step: number, quantity = "f"): void {
  const width = 420;
  const height = 260;
  const pad = 36;
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const all = runs.flatMap((r) => r.losses).filter(Number.isFinite);
  if (all.length === 0) return;
  const lo = Math.min(...all);
  // Surfaces with negative values (saddle, cliff) are shifted so that the log scale applies.
  const shift = lo <= 0 ? -lo + 1e-3 : 0;
  const ys = all.map((v) => Math.log10(v + shift));
  const [y0, y1] = [Math.min(...ys), Math.max(...ys) + 1e-12];
  const maxLen = Math.max(...runs.map((r) => r.losses.length)) - 1;
  const px = (i: number, v: number): [number, number] => [
    pad + ((width - 2 * pad) * i) / Math.max(1, maxLen),
    height - pad - ((height - 2 * pad) * (Math.log10(v + shift) - y0)) / (y1 - y0),
  ];
  el("line", { x1: pad, y1: height - pad, x2: width - pad, y2: height - pad, stroke: "#444" }, svg);
  el("line", { x1: pad, y1: pad, x2: pad, y2: height - pad, stroke: "#444" }, svg);
  const label = (x: number, y: number, text: string, anchor = "middle") =>
    (el("text", { x, y, "font-size": 11, "text-anchor": anchor }, svg).textContent = text);
  label(width / 2, height - 6, "step");
  label(4, 14, shift ? `log₁₀(${quantity} + ${shift.toPrecision(2)})` : `log₁₀ ${quantity}`, "start");
  label(pad - 4, pad + 4, y1.toFixed(1), "end");
  label(pad - 4, height - pad, y0.toFixed(1), "end");
  label(width - pad, height - pad + 14, String(maxLen));
  runs.forEach((run, k) => {
    const pts = run.losses
      .slice(0, step + 1)
      .map((v, i) => px(i, v))
      .filter(([, y]) => Number.isFinite(y));
    el(
      "polyline",
      {
        points: polyline(pts),
        fill: "none",
        stroke: COLORS[k % COLORS.length],
        "stroke-width": 1.5,
        "data-method": run.label,
      },
      svg,
    );
  });
  const [cx] = px(Math.min(step, maxLen), all[0]);
  el("line", { x1: cx, y1: pad, x2: cx, y2: height - pad, stroke: "#999", "stroke-dasharray": "3 3" }, svg);
}
