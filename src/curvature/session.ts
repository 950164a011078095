/**
 * The monitors of `descent diagnose` as one set of training callbacks: every N steps the gᵀHg
 * monitor and the probe error, per-layer gradient norms from every step, and at chosen steps the
 * Hessian's spectrum (and, for an RNN, its gradients through time). Reads the Trainer's borrowed
 * state; keeps nothing between steps but host records.
 */
import { numpy as np } from "@jax-js/jax";
import { disposeTree, random, refTree, treeToHost, type Key, type Precision, type Tree } from "../engine/index.js";
import type { Layer } from "../nn/index.js";
import { layerGradientNorms, type GradientStatsInfo, type LayerNormRecord } from "./layerNorms.js";
import { modelLoss } from "./modelLoss.js";
import { illConditioningMonitor, type IllConditioningRecord, type StepInfo } from "./monitor.js";
import { recurrentDiagnostics, type RecurrentDiagnostics } from "./recurrent.js";
import { spectrumSnapshot, type SpectrumSnapshot } from "./snapshot.js";
import { compileFor } from "./treeHvp.js";
import { treeLossHessian } from "./treeOperator.js";

export interface DiagnosticsOptions {
  model: Layer & { layers?: Layer[] };
  /** Classification (cross-entropy, error rate) or regression (MSE). */
  classification: boolean;
  /** The fixed probe batch on the device (borrowed), its labels and inputs on the host. */
  probe: { x: np.Array; y: np.Array; labels: ArrayLike<number>; hostX: ArrayLike<number>; xShape: number[] };
  precision: Precision;
  every: number;
  lr: (step: number) => number;
  spectrumSteps: number[];
  lanczosSteps: number;
  /** The run's last step: the monitor measures there and the layer norms close their partial window. */
  lastStep?: number;
  key?: Key;
  /** Called with each record as it is made (e.g. to stream JSON lines). */
  onRecord?: (record: DiagnosticRecord) => void;
}

export type DiagnosticRecord =
  | { type: "probe"; indices: number[] }
  | ({ type: "curvature"; error: number | null } & IllConditioningRecord)
  | ({ type: "layers" } & LayerNormRecord)
  | ({ type: "spectrum"; step: number } & SpectrumSnapshot)
  | ({ type: "recurrent"; step: number } & RecurrentDiagnostics);

export function diagnosticsSession(opts: DiagnosticsOptions) {
  const { model, precision, probe } = opts;
  const loss = modelLoss(model, opts.classification);
  const monitor = illConditioningMonitor({
    loss,
    probe,
    precision,
    every: opts.every,
    lastStep: opts.lastStep,
    lr: opts.lr,
  });
  const layers = layerGradientNorms(opts.every, opts.lastStep);
  const predict = compileFor(precision, (params: Tree, state: Tree, x: np.Array) => {
    const [out, newState] = model.apply(params, state, x, { train: false });
    disposeTree(newState);
    return out;
  });
  const spectrumSteps = new Set(opts.spectrumSteps);
  const key = opts.key ?? random.randomKey(0);
  const rnnIndex = recurrentLayerIndex(model);
  const out = {
    curvature: [] as (IllConditioningRecord & { error: number | null })[],
    layers: layers.records,
    spectra: [] as { step: number; snapshot: SpectrumSnapshot }[],
    recurrent: [] as { step: number; diagnostics: RecurrentDiagnostics }[],
  };
  const emit = (record: DiagnosticRecord) => opts.onRecord?.(record);

  const probeError = (params: Tree, state: Tree): number | null => {
    if (!opts.classification) return null;
    const logits = predict(refTree(params), refTree(state), probe.x.ref).dataSync() as ArrayLike<number>;
    const classes = logits.length / probe.labels.length;
    let wrong = 0;
    for (let i = 0; i < probe.labels.length; i++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
      if (best !== probe.labels[i]) wrong++;
    }
    return wrong / probe.labels.length;
  };

  return {
    ...out,
    onStep(info: StepInfo & GradientStatsInfo): void {
      const before = monitor.records.length;
      monitor.onStep(info);
      if (monitor.records.length > before) {
        const record = {
          ...monitor.records[monitor.records.length - 1],
          error: probeError(info.state.params, info.state.modelState),
        };
        out.curvature.push(record);
        emit({ type: "curvature", ...record });
      }
      const windows = layers.records.length;
      layers.onStep(info);
      if (layers.records.length > windows) emit({ type: "layers", ...layers.records[layers.records.length - 1] });
      if (!spectrumSteps.has(info.step)) return;
      const op = treeLossHessian(
        loss,
        info.state.params,
        [{ data: [info.state.modelState, probe.x, probe.y], weight: 1 }],
        precision,
      );
      try {
        const snapshot = spectrumSnapshot(op, {
          steps: opts.lanczosSteps,
          key: random.foldIn(key, info.step),
          exactProducts: precision.dtype === np.float64,
        });
        out.spectra.push({ step: info.step, snapshot });
        emit({ type: "spectrum", step: info.step, ...snapshot });
      } finally {
        op.dispose();
      }
      if (rnnIndex !== undefined) {
        const diagnostics = rnnDiagnostics(info.state.params, rnnIndex, probe);
        out.recurrent.push({ step: info.step, diagnostics });
        emit({ type: "recurrent", step: info.step, ...diagnostics });
      }
    },
    dispose(): void {
      monitor.dispose();
      predict.dispose();
    },
  };
}

// The index of a model's rnn layer when only reshapes come before it (so its input is the data).
function recurrentLayerIndex(model: Layer & { layers?: Layer[] }): number | undefined {
  const i = model.layers?.findIndex((l) => l.kind === "rnn") ?? -1;
  return i >= 0 && model.layers!.slice(0, i).every((l) => l.kind === "reshape") ? i : undefined;
}

// ρ(W) and ‖∂h_T/∂h_t‖ on (at most) the first 8 probe sequences.
function rnnDiagnostics(params: Tree, index: number, probe: DiagnosticsOptions["probe"]): RecurrentDiagnostics {
  const host = treeToHost((params as Tree[])[index]);
  const w = {
    inputWeight: host.get("inputWeight")!,
    recurrentWeight: host.get("recurrentWeight")!,
    bias: host.get("bias")!,
  };
  const features = w.inputWeight.shape[0];
  const perExample = probe.xShape.reduce((a, b) => a * b, 1);
  const steps = perExample / features;
  const n = Math.min(8, Math.floor(probe.hostX.length / perExample));
  return recurrentDiagnostics(w, Array.prototype.slice.call(probe.hostX, 0, n * perExample) as number[], n, steps);
}
