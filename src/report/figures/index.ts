/** `descent figures`: every figure, each drawn from the runs it performs, rendered to SVG with an index page. */
import { htmlPage } from "../html.js";
import { renderSvg } from "../render.js";
import type { Figure, FigureOptions } from "./figure.js";
import {
  figure81,
  figureGradientNoise,
  figureRnnJacobians,
  figureSpectrum,
  trainDigitsMlp,
  type DigitsRun,
} from "./networkFigures.js";
import { figure87 } from "./pretraining.js";
import { figure82, figure83, figure84, figure85, figure86, figureAdaptive, figurePolyak } from "./surfaceFigures.js";

export type { Figure, FigureOptions } from "./figure.js";
export { figure87 } from "./pretraining.js";
export * from "./surfaceFigures.js";
export * from "./networkFigures.js";

/** The figure builders in the order of the chapter, then the extras; those of the digits MLP share one training run. */
export const FIGURES: {
  name: string;
  build: (opts: FigureOptions, digits: () => Promise<DigitsRun>) => Figure | Promise<Figure>;
}[] = [
  { name: "8.1", build: async (_, digits) => figure81(await digits()) },
  { name: "8.2", build: figure82 },
  { name: "8.3", build: figure83 },
  { name: "8.4", build: figure84 },
  { name: "8.5", build: figure85 },
  { name: "8.6", build: figure86 },
  { name: "8.7", build: () => figure87() },
  { name: "adaptive", build: figureAdaptive },
  { name: "polyak", build: figurePolyak },
  { name: "gradient noise", build: async (opts, digits) => figureGradientNoise(await digits(), opts) },
  { name: "hessian spectrum", build: async (opts, digits) => figureSpectrum(await digits(), opts) },
  { name: "rnn", build: figureRnnJacobians },
];

export interface RenderedFigure extends Figure {
  svg: string;
}

/** Builds and renders the figures one by one (`onFigure` reports progress). */
export async function renderFigures(
  opts: FigureOptions,
  onFigure: (name: string, seconds: number) => void = () => {},
): Promise<RenderedFigure[]> {
  const out: RenderedFigure[] = [];
  let digits: Promise<DigitsRun> | undefined;
  const trained = () => (digits ??= trainDigitsMlp(opts));
  try {
    for (const { name, build } of FIGURES) {
      const started = performance.now();
      const figure = await build(opts, trained);
      out.push({ ...figure, svg: await renderSvg(figure.spec) });
      onFigure(name, (performance.now() - started) / 1000);
    }
  } finally {
    if (digits) (await digits).dispose();
  }
  return out;
}

/** An offline page showing every figure with its caption. */
export function figuresPage(figures: RenderedFigure[]): string {
  return htmlPage(
    "Descent: the figures of Chapter 8, from runs",
    figures.map((f) => ({ heading: f.title, text: f.caption, svgs: [f.svg] })),
  );
}
