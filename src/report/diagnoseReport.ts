/**
 * The report of `descent diagnose`: the training curves beside the curvature monitors of section
 * 8.2 — ‖g‖ and the error over time (Figure 8.1), gᵀHg and the ill-conditioning ratio, per-layer
 * gradient norms, the Hessian's spectrum at chosen steps, minibatch gradient noise, and (RNNs)
 * gradients through time.
 */
import type {
  Figure81Verdict,
  GradientNoise,
  IllConditioningRecord,
  LayerNormRecord,
  RecurrentDiagnostics,
  SpectrumSnapshot,
  SymmetryCheck,
} from "../curvature/index.js";
import { smoothDensity } from "../curvature/index.js";
import type { MetricsRecord } from "../train/metrics.js";
import { xyChartSpec } from "./charts.js";
import type { TopLevelSpec } from "vega-lite";
import { factor, percent, sig } from "./format.js";
import { htmlPage, type ReportSection } from "./html.js";
import { renderSvg } from "./render.js";
import type { Report } from "./trainReport.js";

export interface DiagnoseReportData {
  title: string;
  summary: [string, string][];
  epochs: MetricsRecord[];
  curvature: (IllConditioningRecord & { error: number | null })[];
  layers: LayerNormRecord[];
  spectra: { step: number; snapshot: SpectrumSnapshot }[];
  verdict: Figure81Verdict;
  noise?: GradientNoise;
  symmetry?: SymmetryCheck;
  recurrent?: { step: number; diagnostics: RecurrentDiagnostics }[];
}

/** A file name from a chart title ("Gradient norm by parameter" → "gradient-norm-by-parameter"). */
const slug = (title: string) =>
  title
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "") || "chart";

/** A noise row's error relative to ‖g‖: a percentage below 1, a factor above (2466 % reads as ×24.7). */
const relative = (fraction: number) => (fraction < 1 ? `${percent(fraction)} of ‖g‖` : `${factor(fraction)} ‖g‖`);

export async function diagnoseReport(d: DiagnoseReportData & { classification: boolean }): Promise<Report> {
  const charts: Record<string, string> = {};
  const chart = async (spec: TopLevelSpec) => {
    const svg = await renderSvg(spec);
    charts[slug(String((spec as { title?: unknown }).title ?? "chart"))] = svg;
    return svg;
  };
  const task = d.classification
    ? "Classification (cross-entropy loss; errors are 0-1 errors)."
    : "Regression (mean squared error; the error series are losses).";
  const sections: ReportSection[] = [{ heading: "Summary", text: task, table: d.summary }];

  const curvatureRows = d.curvature.map((r) => ({
    step: r.step,
    "‖g‖ probe batch": r.gradNorm,
    gᵀHg: r.gHg,
    "εgᵀHg / 2gᵀg": r.curvatureRatio,
    "predicted Δf": r.predictedChange,
    "actual Δf": r.actualChange,
    "probe error": r.error,
  }));
  // Vega reads "." in a field name as nested access: show parameter paths with "/".
  const series = (path: string) => path.replace(/\./g, "/");
  const layerRows = d.layers.map((r) => ({
    step: r.step,
    "‖g‖ minibatch": r.total,
    ...Object.fromEntries(Object.entries(r.norms).map(([p, v]) => [series(p), v])),
  }));
  const stepOfEpoch = d.epochs.filter((r) => r.type === "epoch");
  const errorRows = [
    ...curvatureRows.map((r) => ({ step: r.step, "probe error": r["probe error"], "validation error": null })),
    ...stepOfEpoch.map((r) => ({
      step: r.step,
      "probe error": null,
      "validation error": typeof r.validationAccuracy === "number" ? 1 - r.validationAccuracy : null,
    })),
  ].sort((a, b) => a.step - b.step);
  const normRows = [
    ...curvatureRows.map((r) => ({ step: r.step, "‖g‖ probe batch": r["‖g‖ probe batch"] })),
    ...layerRows.map((r) => ({ step: r.step, "‖g‖ minibatch": r["‖g‖ minibatch"] })),
  ];
  sections.push({
    heading: "Gradient norm and error over training (cf. Figure 8.1)",
    text: d.verdict.text,
    svgs: [
      await chart(
        xyChartSpec("Gradient norm", normRows, "step", ["‖g‖ probe batch", "‖g‖ minibatch"], {
          yTitle: "‖g‖",
          integerX: true,
        }),
      ),
      await chart(
        xyChartSpec(
          d.classification ? "Classification error" : "Loss",
          errorRows,
          "step",
          ["probe error", "validation error"],
          d.classification ? { yTitle: "error", percentY: true, integerX: true } : { yTitle: "loss", integerX: true },
        ),
      ),
    ],
  });

  const illConditioned = d.curvature.filter((r) => r.illConditioned).length;
  const positive = d.curvature.every((r) => r.gHg > 0);
  sections.push({
    heading: "Curvature along the gradient (8.2.1)",
    text:
      `A gradient step −εg changes the loss by −εgᵀg + ½ε²gᵀHg; when εgᵀHg / 2gᵀg exceeds 1 (dashed line) the ` +
      `step goes uphill. Flagged at ${illConditioned} of ${d.curvature.length} measurements (ε = ` +
      `${d.curvature.length ? sig(d.curvature[d.curvature.length - 1].lr) : "n/a"} at the end).`,
    svgs: [
      await chart(
        xyChartSpec(
          "gᵀHg on the probe batch",
          curvatureRows,
          "step",
          ["gᵀHg"],
          positive ? { yTitle: "gᵀHg (log scale)", logY: true } : { yTitle: "gᵀHg" },
        ),
      ),
      await chart(
        xyChartSpec("Ill-conditioning ratio", curvatureRows, "step", ["εgᵀHg / 2gᵀg"], { yTitle: "ratio", ruleY: 1 }),
      ),
      await chart(
        xyChartSpec("Change of the loss by a step −εg", curvatureRows, "step", ["predicted Δf", "actual Δf"], {
          yTitle: "Δf",
          ruleY: 0,
        }),
      ),
    ],
  });

  if (layerRows.length) {
    const paths = Object.keys(d.layers[0].norms).map(series);
    sections.push({
      heading: "Per-layer gradient norms (8.2.4–8.2.5)",
      text:
        "Mean minibatch ‖∂L/∂θ‖ of each parameter tensor (named layer/parameter) over each window of steps; " +
        "vanishing gradients show as early layers far below late ones.",
      svgs: [
        await chart(
          xyChartSpec("Gradient norm by parameter", layerRows, "step", paths, {
            yTitle: "‖g‖ (log scale)",
            logY: true,
            width: 560,
          }),
        ),
      ],
    });
  }

  if (d.spectra.length) {
    const ritzRows = d.spectra.flatMap(({ step, snapshot }) =>
      [...snapshot.top, ...snapshot.bottom].map((p) => ({ step, "Ritz value": p.value })),
    );
    const densityRows = d.spectra.flatMap(({ step, snapshot }) => {
      const s = smoothDensity(snapshot.density, { points: 300 });
      // On a log axis, cut the Gaussian tails far below the peak.
      const floor = 1e-6 * Math.max(...s.values);
      return s.grid.map((x, i) => ({ λ: x, [`step ${step}`]: s.values[i] > floor ? s.values[i] : null }));
    });
    sections.push({
      heading: "The Hessian's spectrum at chosen steps",
      text:
        "Lanczos from a Rademacher probe (full reorthogonalization) on the probe batch: extreme Ritz values with " +
        "their residual bounds ‖Hy − θy‖, and the one-probe SLQ spectral density (Ghorbani et al. 2019) smoothed by " +
        "Gaussians.",
      table: d.spectra.map(({ step, snapshot }) => [
        `step ${step} (${snapshot.steps} Lanczos steps)`,
        `top ${snapshot.top.map((p) => `${sig(p.value)} ±${p.residual.toExponential(1)}`).join(", ")}; bottom ` +
          `${snapshot.bottom.map((p) => `${sig(p.value)} ±${p.residual.toExponential(1)}`).join(", ")}; κ ` +
          `${snapshot.condition === null ? "undefined (negative curvature)" : sig(snapshot.condition)}` +
          (snapshot.residualsBound
            ? ""
            : " (float32: the ± residuals leave out the HVPs' rounding, so they are not bounds)"),
      ]),
      svgs: [
        await chart(
          xyChartSpec("Extreme Ritz values", ritzRows, "step", ["Ritz value"], { points: true, yTitle: "eigenvalue" }),
        ),
        await chart(
          xyChartSpec(
            "Spectral density (SLQ)",
            densityRows,
            "λ",
            d.spectra.map((s) => `step ${s.step}`),
            { yTitle: "density (log scale)", logY: true },
          ),
        ),
      ],
    });
  }

  if (d.noise) {
    const rows = d.noise.rows.map((r) => ({
      "batch size m": r.batchSize,
      "measured ‖g_B − g‖": r.rmsError,
      "σ/√m": r.standardError,
      "σ/√m·√((N−m)/(N−1))": r.predictedRms,
    }));
    sections.push({
      heading: "Minibatch gradient noise (8.1.3)",
      text:
        `Full-batch ‖g‖ = ${sig(d.noise.fullGradNorm)} over ${d.noise.examples} examples; per-example gradient ` +
        `spread σ = ${sig(d.noise.sigma)}. The error of a minibatch gradient falls like σ/√m: less than linearly in m.`,
      table: d.noise.rows.map((r) => [
        `m = ${r.batchSize}`,
        `measured ${sig(r.rmsError)} (${relative(r.relativeError)}), predicted ${sig(r.predictedRms)}, σ/√m ` +
          `${sig(r.standardError)} over ${r.draws} draws`,
      ]),
      svgs: [
        await chart(
          xyChartSpec(
            "Minibatch gradient error",
            rows,
            "batch size m",
            ["measured ‖g_B − g‖", "σ/√m", "σ/√m·√((N−m)/(N−1))"],
            { logX: true, logY: true, yTitle: "‖g_B − g‖", integerX: true },
          ),
        ),
      ],
    });
  }

  if (d.symmetry) {
    sections.push({
      heading: "Weight-space symmetry (8.2.2)",
      text:
        `Loss on the probe batch ${sig(d.symmetry.loss)}; largest relative change under the symmetries ` +
        `${d.symmetry.maxRelDiff.toExponential(2)} (rounding).`,
      table: d.symmetry.transformed.map((t) => [t.name, sig(t.loss)]),
    });
  }

  if (d.recurrent?.length) {
    const rows = d.recurrent.flatMap(({ step, diagnostics }) =>
      diagnostics.jacobianNorms.map((j) => ({ "T − t": j.lag, [`step ${step}`]: j.norm })),
    );
    sections.push({
      heading: "Gradients through time (8.2.5)",
      table: d.recurrent.map(({ step, diagnostics }) => [
        `step ${step}`,
        `ρ(W) = ${sig(diagnostics.spectralRadius)}, ‖W‖₂ = ${sig(diagnostics.spectralNorm)}`,
      ]),
      svgs: [
        await chart(
          xyChartSpec(
            "‖∂h_T/∂h_t‖₂ against T − t",
            rows,
            "T − t",
            d.recurrent.map((r) => `step ${r.step}`),
            { logY: true, yTitle: "norm (log scale)" },
          ),
        ),
      ],
    });
  }
  return { html: htmlPage(d.title, sections), charts };
}
