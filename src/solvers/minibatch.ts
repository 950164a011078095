import type { HostTensor } from "../engine/index.js";
import { ObjectiveLine } from "../linesearch/lineFunction.js";
import { strongWolfe } from "../linesearch/strongWolfe.js";
import { axpy, dot, neg, norm, pointAt, sub, type Vec } from "../linalg/vector.js";
import type { Evaluator } from "../linesearch/types.js";
import { cgBeta, type CgVariant } from "./cg.js";
import { LbfgsMemory } from "./lbfgs.js";

/**
 * torch.optim.LBFGS's closure pattern: a solver that must evaluate the loss more than once per step
 * receives a function that re-evaluates the *current minibatch* at any parameters. Here the closure
 * is an Evaluator over the flat parameter vector, so every evaluation is counted like any other.
 */
export interface MinibatchStep {
  x: Vec;
  /** Minibatch loss and gradient at the parameters the step started from. */
  loss: number;
  grad: Vec;
  /** Minibatch loss where the step ended (NaN when it was not evaluated). */
  lossAfter: number;
}

export interface MinibatchSolver {
  readonly name: string;
  /** One optimizer step on the minibatch behind `batch`, starting from x. */
  step(x: Vec, batch: Evaluator): MinibatchStep;
  /**
   * The memory carried between steps, as float64 host tensors (checkpointed so a resume equals an uninterrupted run).
   */
  saveState(): Map<string, HostTensor>;
  /** Puts back what saveState returned. */
  loadState(state: Map<string, HostTensor>): void;
}

const vector = (v: ArrayLike<number>): HostTensor => ({ shape: [v.length], data: Float64Array.from(v) });
const scalar = (v: number): HostTensor => ({ shape: [], data: Float64Array.of(v) });

function tensorIn(state: Map<string, HostTensor>, name: string): Float64Array {
  const t = state.get(name);
  if (!t) throw new Error(`the solver state has no tensor "${name}"`);
  return Float64Array.from(t.data);
}

export interface MinibatchLineOptions {
  /** "strong-wolfe" on the minibatch (default), or "none": a fixed step `lr` along the direction. */
  lineSearch?: "strong-wolfe" | "none";
  /** Step length without a line search, or the first trial with one (default 1). */
  lr?: number;
  /** Curvature constant of the minibatch line search. */
  c2?: number;
}

export interface MinibatchLbfgsOptions extends MinibatchLineOptions {
  memory?: number;
  /** Inner iterations on each minibatch (torch's max_iter; default 1). */
  maxIter?: number;
}

/**
 * L-BFGS over minibatches. Curvature pairs (s, y) always come from two gradients of the *same*
 * minibatch (Berahas, Nocedal & Takáč, 2016: differences across batches are mostly sampling noise),
 * which costs one extra evaluation per step when no line search supplied that gradient.
 */
export function minibatchLbfgs(options: MinibatchLbfgsOptions = {}): MinibatchSolver {
  const { memory = 10, maxIter = 1, lineSearch = "strong-wolfe", lr = 1, c2 = 0.9 } = options;
  const mem = new LbfgsMemory(memory);
  return {
    name: "minibatch-lbfgs",
    step(x0, batch) {
      let x = x0;
      let [f, g] = batch.valueAndGrad(x);
      const start = { loss: f, grad: Float64Array.from(g) };
      for (let it = 0; it < maxIter; it++) {
        let p = mem.direction(g);
        if (!(dot(p, g) < 0)) {
          mem.reset();
          p = neg(g);
        }
        // torch's first step: min(1, 1/‖g‖₁)·lr, before any curvature is known.
        const alpha0 = mem.pairs.length ? lr : Math.min(1, 1 / g.reduce((s, v) => s + Math.abs(v), 0)) * lr;
        const [xNew, fNew, gNew] = lineStep(batch, x, f, g, p, alpha0, lineSearch, c2);
        if (!gNew) break;
        mem.update(sub(xNew, x), sub(gNew, g));
        [x, f, g] = [xNew, fNew, gNew];
      }
      return { x, ...start, lossAfter: x === x0 ? NaN : f };
    },
    saveState() {
      const out = new Map<string, HostTensor>([["pairs", scalar(mem.pairs.length)]]);
      mem.pairs.forEach(({ s, y }, i) => out.set(`s.${i}`, vector(s)).set(`y.${i}`, vector(y)));
      return out;
    },
    loadState(state) {
      mem.reset();
      const count = tensorIn(state, "pairs")[0];
      // update() recomputes ρ = 1/sᵀy from the same float64 numbers, so the memory is bit-identical.
      for (let i = 0; i < count; i++) mem.update(tensorIn(state, `s.${i}`), tensorIn(state, `y.${i}`));
    },
  };
}

export interface MinibatchCgOptions extends MinibatchLineOptions {
  variant?: CgVariant;
  /** Restart ρ = −g every k steps (default 10). */
  restartEvery?: number;
}

/**
 * Nonlinear CG over minibatches (8.6.2 notes CG can run on minibatches): β compares this batch's
 * gradient with the last one's (PR+ by default, which falls back to steepest descent when they
 * disagree), a strong Wolfe search on the current batch, and periodic restarts.
 */
export function minibatchCg(options: MinibatchCgOptions = {}): MinibatchSolver {
  const { variant = "prplus", restartEvery = 10, lineSearch = "strong-wolfe", lr = 1, c2 = 0.1 } = options;
  let previous: { g: Vec; p: Vec; alpha: number; slope: number } | undefined;
  let sinceRestart = 0;
  return {
    name: `minibatch-cg-${variant}`,
    step(x, batch) {
      const [f, g] = batch.valueAndGrad(x);
      let p = neg(g);
      if (previous && sinceRestart < restartEvery) {
        const beta = cgBeta(variant, g, previous.g);
        axpy(p, beta, previous.p);
        if (!(dot(p, g) < 0)) p = neg(g);
      } else sinceRestart = 0;
      sinceRestart++;
      const slope = dot(g, p);
      // N&W eq. 3.60 from the last step; the first uses a step of length lr.
      const alpha0 = previous ? (previous.alpha * previous.slope) / slope : lr / Math.max(norm(g), 1e-12);
      const [xNew, fNew, gNew, alpha] = lineStep(batch, x, f, g, p, alpha0, lineSearch, c2);
      previous = gNew || lineSearch === "none" ? { g, p, alpha, slope } : undefined;
      return { x: xNew, loss: f, grad: Float64Array.from(g), lossAfter: fNew };
    },
    saveState() {
      const out = new Map<string, HostTensor>([["sinceRestart", scalar(sinceRestart)]]);
      if (previous)
        out
          .set("g", vector(previous.g))
          .set("p", vector(previous.p))
          .set("alpha", scalar(previous.alpha))
          .set("slope", scalar(previous.slope));
      return out;
    },
    loadState(state) {
      sinceRestart = tensorIn(state, "sinceRestart")[0];
      previous = state.has("g")
        ? {
            g: tensorIn(state, "g"),
            p: tensorIn(state, "p"),
            alpha: tensorIn(state, "alpha")[0],
            slope: tensorIn(state, "slope")[0],
          }
        : undefined;
    },
  };
}

/**
 * A step along p on the minibatch: strong Wolfe (returning the new point's f and g, already paid for), or
 * a fixed step followed by one evaluation there. Returns the start point unchanged when the search fails.
 */
function lineStep(
  batch: Evaluator,
  x: Vec,
  f: number,
  g: Vec,
  p: Vec,
  alpha0: number,
  lineSearch: "strong-wolfe" | "none",
  c2: number,
): [Vec, number, Vec | undefined, number] {
  if (lineSearch === "none") {
    const xNew = pointAt(x, alpha0, p);
    const [fNew, gNew] = batch.valueAndGrad(xNew);
    return [xNew, fNew, gNew, alpha0];
  }
  const line = new ObjectiveLine(batch, x, p);
  const search = strongWolfe(line, f, dot(g, p), { alpha0, c2, maxBracket: 10, maxZoom: 10 });
  if (!(search.alpha > 0)) return [x, f, undefined, 0];
  const [fNew, gNew] = line.valueAndGrad(search.alpha);
  return [line.point(search.alpha), fNew, gNew, search.alpha];
}
