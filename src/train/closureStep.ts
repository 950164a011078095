import { numpy as np, jit, valueAndGrad } from "@jax-js/jax";
import {
  disposeTree,
  flattenTree,
  layoutOfTree,
  refTree,
  toDevice,
  unflattenArray,
  unflattenTree,
  type FlatLayout,
  type Precision,
  type Tree,
} from "../engine/index.js";
import type { Evaluator } from "../linesearch/types.js";
import type { LossKind } from "../losses.js";
import { trainingLoss, type Layer } from "../nn/index.js";
import type { GradientTransformation } from "../optim/index.js";
import type { MinibatchSolver } from "../solvers/minibatch.js";
import type { StepStats, TrainState } from "./step.js";

/**
 * A minibatch solver (L-BFGS, CG) presented to the Trainer as its optimizer. It says in its interface
 * that it steps through a closure (it re-evaluates the minibatch itself); its state lives on the host,
 * so the Trainer carries no optimizer state for it (the checkpoint stores its memory through saveState).
 */
export interface ClosureOptimizer {
  readonly kind: "closure";
  readonly minibatchSolver: MinibatchSolver;
}

/** What the Trainer accepts as its optimizer: a gradient transformation or a closure optimizer. */
export type TrainerOptimizer = GradientTransformation | ClosureOptimizer;

export const closureOptimizer = (solver: MinibatchSolver): ClosureOptimizer => ({
  kind: "closure",
  minibatchSolver: solver,
});

export const isClosureOptimizer = (optimizer: TrainerOptimizer): optimizer is ClosureOptimizer =>
  (optimizer as Partial<ClosureOptimizer>).kind === "closure";

function samePoint(a: Float64Array, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The minibatch seen as an Evaluator of flat θ: each call one forward (and backward) pass, counted. */
class BatchEvaluator implements Evaluator {
  readonly counts = { fevals: 0, gevals: 0 };
  /** The model state after the first evaluation (at the step's starting point), as one SGD step would leave it. */
  firstState: Tree | undefined;
  private lastValue: { x: Float64Array; f: number } | undefined;

  constructor(
    private readonly fns: ReturnType<typeof compileFlatLoss>,
    private readonly modelState: Tree,
    private readonly x: np.Array,
    private readonly y: np.Array,
    private readonly precision: Precision,
  ) {}

  private theta(x: ArrayLike<number>) {
    return toDevice(x, [x.length], this.precision);
  }

  value(x: ArrayLike<number>): number {
    this.counts.fevals++;
    const f = this.fns.value(this.theta(x), refTree(this.modelState), this.x.ref, this.y.ref).item();
    this.lastValue = { x: Float64Array.from(x), f };
    return f;
  }

  valueAndGrad(x: ArrayLike<number>): [number, Float64Array] {
    // f at the point just valued is known: only the gradient is new (SciPy's counting).
    const known = this.lastValue !== undefined && samePoint(this.lastValue.x, x);
    if (!known) this.counts.fevals++;
    this.counts.gevals++;
    const [v, g, state] = this.fns.valueAndGrad(this.theta(x), refTree(this.modelState), this.x.ref, this.y.ref);
    if (this.firstState === undefined) this.firstState = state;
    else disposeTree(state);
    return [v.item(), Float64Array.from(g.dataSync() as ArrayLike<number>)];
  }

  dispose(): void {
    this.x.dispose();
    this.y.dispose();
    disposeTree(this.modelState);
  }
}

/** The minibatch loss as a function of the flat parameter vector θ (compiled once). */
function compileFlatLoss(model: Layer, kind: LossKind, template: Tree) {
  const loss = trainingLoss(model, kind);
  const lossOf = (theta: np.Array, modelState: Tree, x: np.Array, y: np.Array): [np.Array, Tree] =>
    loss(unflattenArray(template, theta), modelState, x, y);
  return {
    value: jit((theta: np.Array, modelState: Tree, x: np.Array, y: np.Array) => {
      const [v, state] = lossOf(theta, modelState, x, y);
      disposeTree(state);
      return v;
    }),
    valueAndGrad: jit((theta: np.Array, modelState: Tree, x: np.Array, y: np.Array) => {
      const [[v, state], g] = valueAndGrad(lossOf, { hasAux: true })(theta, modelState, x, y);
      return [v, g, state] as [np.Array, np.Array, Tree];
    }),
  };
}

/**
 * The Trainer's step for a host-level minibatch solver (L-BFGS, CG): flattens θ, hands the solver a
 * closure over the current minibatch (torch.optim.LBFGS's pattern), and rebuilds the parameter tree
 * from the θ it returns. Same interface as compileTrainStep's; the optimizer state is the solver's own.
 */
export function compileClosureStep(model: Layer, kind: LossKind, solver: MinibatchSolver, precision: Precision) {
  let compiled: { layout: FlatLayout; fns: ReturnType<typeof compileFlatLoss> } | undefined;
  const totals = { steps: 0, fevals: 0, gevals: 0 };
  return {
    /**
     * Consumes the state and the batch; returns the next state and the step's stats (loss and gradient at the start).
     */
    run(state: TrainState, x: np.Array, y: np.Array): [TrainState, StepStats] {
      if (!compiled) {
        compiled = { layout: layoutOfTree(state.params), fns: compileFlatLoss(model, kind, state.params) };
      }
      const { layout, fns } = compiled;
      const theta = flattenTree(state.params);
      const batch = new BatchEvaluator(fns, state.modelState, x, y, precision);
      const step = solver.step(theta, batch);
      const params = unflattenTree(state.params, step.x, precision);
      const modelState = batch.firstState ?? refTree(state.modelState);
      batch.dispose();
      disposeTree(state.params);
      const gradNormSq = Float64Array.from(layout.offsets, (o, j) => {
        let s = 0;
        const end = o + layout.sizes[j];
        for (let i = o; i < end; i++) s += step.grad[i] ** 2;
        return s;
      });
      totals.steps++;
      totals.fevals += batch.counts.fevals;
      totals.gevals += batch.counts.gevals;
      return [
        { params, modelState, optState: state.optState },
        { loss: step.loss, gradNormSq },
      ];
    },
    /** Steps taken and the minibatch evaluations they cost. */
    totals,
    dispose() {
      compiled?.fns.value.dispose();
      compiled?.fns.valueAndGrad.dispose();
    },
  };
}
