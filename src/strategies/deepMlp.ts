/**
 * The deep fully connected network the 8.7 strategies build on, with its parameters grouped by
 * role, {hidden: [{weight, bias}, …], output, heads?}, so a strategy can name, freeze, transfer or
 * drop a layer by path ("hidden.0.weight"). Options add what section 8.7 asks for: the raw input
 * fed to every hidden layer (Fig. 8.7c), skip connections (residual, or every hidden layer straight
 * to the output), and auxiliary classifier heads on hidden layers (8.7.5).
 */
import { numpy as np } from "@jax-js/jax";
import { random, type Tree } from "../engine/index.js";
import {
  activations,
  initializerByName,
  weightAndBias,
  type ActivationName,
  type ApplyContext,
  type InitName,
  type Layer,
} from "../nn/index.js";

export type SkipKind = "none" | "residual" | "to-output";

export interface DeepMlpOptions {
  /** Number of hidden layers. */
  depth: number;
  /** Units of every hidden layer. */
  width: number;
  activation?: ActivationName;
  /** Initializer of the hidden layers (default: He for ReLU, Glorot otherwise); the output layer uses Glorot. */
  init?: InitName;
  /** Feed the flattened raw input to every hidden layer beside the previous layer's output (Fig. 8.7c). */
  rawInput?: boolean;
  /**
   * "residual": h_i = h_{i−1} + act(W_i h_{i−1} + b_i) from the second
   * layer on; "to-output": the output reads every hidden layer.
   */
  skip?: SkipKind;
  /**
   * Hidden layers (0-based) with an auxiliary linear classifier head;
   * their outputs follow the main output in training mode only.
   */
  auxiliaryHeads?: number[];
}

export type DenseParams = { weight: np.Array; bias: np.Array };
export type DeepMlpParams = { hidden: DenseParams[]; output: DenseParams; heads?: DenseParams[] };

export interface DeepMlp extends Layer {
  readonly options: DeepMlpOptions;
  readonly outputs: number;
}

const dense = (p: DenseParams, x: np.Array) => np.matmul(x, p.weight).add(p.bias);

function checkOptions(o: DeepMlpOptions): void {
  if (!(Number.isInteger(o.depth) && o.depth >= 1))
    throw new Error(`deepMlp depth must be an integer of at least 1, got ${o.depth}`);
  if (!(Number.isInteger(o.width) && o.width >= 1))
    throw new Error(`deepMlp width must be an integer of at least 1, got ${o.width}`);
  const bad = (o.auxiliaryHeads ?? []).find((i) => !(Number.isInteger(i) && i >= 0 && i < o.depth - 1));
  if (bad !== undefined)
    throw new Error(
      `deepMlp auxiliary head at hidden layer ${bad}: heads go on hidden layers 0..${o.depth - 2} (the last one ` +
        `feeds the output)`,
    );
}

/**
 * Runs the first `count` hidden layers on x ([batch, ...]); returns each one's output.
 * Consumes x and all of `hidden` (the caller passes refs of what it keeps).
 */
export function hiddenStates(o: DeepMlpOptions, hidden: DenseParams[], x: np.Array, count = hidden.length): np.Array[] {
  const act = activations[o.activation ?? "relu"]();
  const ctx: ApplyContext = { train: true };
  const flat = x.reshape([x.shape[0], -1]);
  const states: np.Array[] = [];
  let h = flat.ref;
  for (let i = 0; i < count; i++) {
    const input = o.rawInput && i > 0 ? np.concatenate([h, flat.ref], 1) : h;
    const [a] = act.apply({}, {}, dense(hidden[i], input), ctx);
    h = o.skip === "residual" && i > 0 ? states[i - 1].ref.add(a) : a;
    states.push(h.ref);
  }
  h.dispose();
  flat.dispose();
  for (const unused of hidden.slice(count)) unused.weight.dispose(), unused.bias.dispose();
  return states;
}

/** A deep MLP with the options above: flattened input → `depth` hidden layers → linear(outputs). */
export function deepMlp(outputs: number, options: DeepMlpOptions): DeepMlp {
  checkOptions(options);
  const o = options;
  const hiddenInit = initializerByName(o.init ?? ((o.activation ?? "relu") === "relu" ? "he" : "glorot"));
  const heads = o.auxiliaryHeads ?? [];
  return {
    kind: "deep-mlp",
    options: o,
    outputs,
    init(key, inputShape, precision) {
      const inputs = inputShape.reduce((a, b) => a * b, 1);
      const keys = random.splitKey(key, o.depth + 1 + heads.length);
      const hidden = Array.from({ length: o.depth }, (_, i) => {
        const fanIn = i === 0 ? inputs : o.width + (o.rawInput ? inputs : 0);
        return weightAndBias(keys[i], [fanIn, o.width], precision, { init: hiddenInit }) as DenseParams;
      });
      const readout = o.skip === "to-output" ? o.depth * o.width : o.width;
      const glorot = { init: initializerByName("glorot") };
      const params: DeepMlpParams = {
        hidden,
        output: weightAndBias(keys[o.depth], [readout, outputs], precision, glorot) as DenseParams,
      };
      if (heads.length)
        params.heads = heads.map(
          (_, j) => weightAndBias(keys[o.depth + 1 + j], [o.width, outputs], precision, glorot) as DenseParams,
        );
      return { params: params as unknown as Tree, state: {}, outputShape: [outputs] };
    },
    apply(params, state, x, ctx) {
      const p = params as unknown as DeepMlpParams;
      const states = hiddenStates(o, p.hidden, x);
      const last =
        o.skip === "to-output"
          ? np.concatenate(
              states.map((s) => s.ref),
              1,
            )
          : states[o.depth - 1].ref;
      const main = dense(p.output, last);
      // Auxiliary heads only in training mode: prediction sees the main output alone.
      const extra = ctx.train && p.heads ? p.heads.map((head, j) => dense(head, states[heads[j]].ref)) : [];
      if (!ctx.train && p.heads) for (const head of p.heads) head.weight.dispose(), head.bias.dispose();
      for (const s of states) s.dispose();
      return [extra.length ? np.concatenate([main, ...extra], 1) : main, state];
    },
  };
}
