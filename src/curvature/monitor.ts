/**
 * The ill-conditioning monitor of section 8.2.1. By the second-order Taylor expansion, a gradient
 * step −εg changes the cost by −εgᵀg + ½ε²gᵀHg: when ½ε²gᵀHg exceeds εgᵀg the step goes uphill,
 * which is how ill-conditioning shows during training (the book's Figure 8.1: ‖g‖ grows while
 * gᵀHg grows faster). Every `every` steps the monitor measures g, gᵀg, gᵀHg (one HVP), the
 * predicted change and the actual change f(θ − εg) − f(θ) on a fixed probe batch.
 */
import { numpy as np, valueAndGrad } from "@jax-js/jax";
import { disposeTree, refTree, toDevice, type Precision, type Tree } from "../engine/index.js";
import {
  compileFor,
  defaultHvpMode,
  treeAddScaled,
  treeHvp,
  treeVdot,
  type HvpMode,
  type TreeLoss,
} from "./treeHvp.js";

export interface IllConditioningRecord {
  step: number;
  /** Loss on the probe batch. */
  loss: number;
  gradNorm: number;
  gTg: number;
  gHg: number;
  /** The learning rate ε of the hypothetical step −εg. */
  lr: number;
  /** −εgᵀg + ½ε²gᵀHg. */
  predictedChange: number;
  /** f(θ − εg) − f(θ). */
  actualChange: number;
  /**
   * False when the actual change is lost to cancellation: in float32 once |Δf| < 1e-3·|f| (each f
   * carries a relative rounding error the difference cannot shed). Always true in float64.
   */
  actualChangeReliable: boolean;
  /** ½ε²gᵀHg > εgᵀg: the second-order term outweighs the first, a gradient step of this size goes uphill. */
  illConditioned: boolean;
  /** ε·gᵀHg / (2gᵀg): above 1 means ill-conditioned at this ε. */
  curvatureRatio: number;
}

/** In float32, f(θ − εg) − f(θ) keeps few correct digits once it is below this fraction of |f|. */
const FLOAT32_CANCELLATION = 1e-3;

/**
 * One compiled probe: [f, gᵀg, gᵀHg, f(θ − εg)] at params (borrowed) on data (borrowed), ε as a
 * device scalar (a JS number would be rounded to float32 inside a jit-compiled float64 program).
 */
export function compileIllConditioningProbe(
  loss: TreeLoss,
  precision: Precision,
  mode: HvpMode = defaultHvpMode(precision),
) {
  const hvp = treeHvp(loss, mode);
  const probe = compileFor(precision, (params: Tree, eps: np.Array, ...data: Tree[]) => {
    const withData = (p: Tree) => loss(p, ...data.map((d) => refTree(d)));
    const [value, g] = valueAndGrad(withData)(refTree(params)) as [np.Array, Tree];
    const hg = hvp(refTree(params), refTree(g), ...data.map((d) => refTree(d)));
    const gTg = treeVdot(refTree(g), refTree(g));
    const gHg = treeVdot(refTree(g), hg);
    const after = withData(treeAddScaled(params, eps.neg(), g));
    for (const d of data) disposeTree(d);
    return np.stack([value, gTg, gHg, after]);
  });
  return {
    run(params: Tree, lr: number, ...data: Tree[]): Omit<IllConditioningRecord, "step"> {
      const eps = toDevice([lr], [], precision);
      const out = probe(refTree(params), eps, ...data.map((d) => refTree(d)));
      const [loss, gTg, gHg, after] = Array.from(out.dataSync() as ArrayLike<number>);
      const predictedChange = -lr * gTg + 0.5 * lr * lr * gHg;
      return {
        loss,
        gradNorm: Math.sqrt(gTg),
        gTg,
        gHg,
        lr,
        predictedChange,
        actualChange: after - loss,
        actualChangeReliable:
          precision.dtype === np.float64 || Math.abs(after - loss) >= FLOAT32_CANCELLATION * Math.abs(loss),
        illConditioned: 0.5 * lr * lr * gHg > lr * gTg,
        curvatureRatio: (lr * gHg) / (2 * gTg),
      };
    },
    dispose: () => probe.dispose(),
  };
}

/** What the monitors read from a training step (the Trainer's onStep info fits). State is borrowed. */
export interface StepInfo {
  step: number;
  state: { params: Tree; modelState: Tree };
}

export interface MonitorOptions {
  /** The training loss as a TreeLoss with data [modelState, x, y] (see modelLoss). */
  loss: TreeLoss;
  /** A fixed probe batch (borrowed: the caller disposes it after the run). */
  probe: { x: np.Array; y: np.Array };
  precision: Precision;
  /** Measure every `every` steps (and at step 1). */
  every: number;
  /** The run's last step, measured too when it is not a multiple of `every`. */
  lastStep?: number;
  /** ε at a step: the learning rate of the hypothetical gradient step. */
  lr: (step: number) => number;
  mode?: HvpMode;
  onRecord?: (record: IllConditioningRecord) => void;
}

/** The 8.2.1 monitor as a training callback: `onStep` measures every `every` steps. */
export function illConditioningMonitor(opts: MonitorOptions) {
  if (!(opts.every >= 1)) throw new Error(`the monitor needs every >= 1, got ${opts.every}`);
  const probe = compileIllConditioningProbe(opts.loss, opts.precision, opts.mode);
  const records: IllConditioningRecord[] = [];
  return {
    records,
    onStep(info: StepInfo): void {
      if (info.step !== 1 && info.step % opts.every !== 0 && info.step !== opts.lastStep) return;
      const record = {
        step: info.step,
        ...probe.run(info.state.params, opts.lr(info.step), info.state.modelState, opts.probe.x, opts.probe.y),
      };
      records.push(record);
      opts.onRecord?.(record);
    },
    dispose: () => probe.dispose(),
  };
}
