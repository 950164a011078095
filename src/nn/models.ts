import { activations, type ActivationName } from "./activations.js";
import { batchNorm } from "./batchnorm.js";
import { sequential } from "./combinators.js";
import { conv2d } from "./conv.js";
import { initializerByName, type InitName } from "./init.js";
import type { Layer } from "./layer.js";
import { linear } from "./linear.js";
import { rnn } from "./rnn.js";
import { flatten, maxPool2d, reshape } from "./shape.js";

export type ModelName = "mlp" | "cnn" | "rnn";

export interface ModelOptions {
  /** Hidden width (mlp, rnn) or the first conv's channels (cnn; the second has twice as many). */
  width?: number;
  /** Number of hidden layers (mlp). */
  depth?: number;
  activation?: ActivationName;
  init?: InitName;
  batchNorm?: boolean;
  /** Initial hidden bias (8.4 suggests 0.1 for ReLU units). */
  hiddenBias?: number;
}

/** The architecture a model gets for each setting that is not given. */
export const MODEL_DEFAULTS = {
  mlp: { width: 256, depth: 2, activation: "relu" },
  cnn: { width: 16, activation: "relu" },
  rnn: { width: 128 },
} as const;

const defaultInit = (o: ModelOptions): InitName => o.init ?? ((o.activation ?? "relu") === "relu" ? "he" : "glorot");

/** The initialization a model gets when none is given (He for ReLU layers, Glorot otherwise and for the RNN). */
export const defaultInitOf = (model: ModelName, o: ModelOptions): InitName =>
  model === "rnn" ? (o.init ?? "glorot") : defaultInit(o);

/** Flatten → [Linear → (BN) → act] × depth → Linear(outputs). Default 784-256-256-10 ReLU. */
export function mlp(outputs: number, o: ModelOptions = {}): Layer {
  const init = initializerByName(defaultInit(o));
  const act = activations[o.activation ?? "relu"];
  const hidden: Layer[] = [];
  for (let i = 0; i < (o.depth ?? MODEL_DEFAULTS.mlp.depth); i++) {
    hidden.push(linear(o.width ?? MODEL_DEFAULTS.mlp.width, { init, bias: o.hiddenBias }));
    if (o.batchNorm) hidden.push(batchNorm());
    hidden.push(act());
  }
  return sequential(flatten(), ...hidden, linear(outputs, { init: initializerByName("glorot") }));
}

/**
 * conv(16,3×3,pad 1)-(BN)-act-maxpool2-conv(32)-(BN)-act-maxpool2-flatten-linear: the CNN of torch_peer.py.
 * With ReLU the pooling runs first: max and ReLU commute exactly, in values and (ReLU's derivative being
 * 0 at 0) in gradients, and the ReLU and its mask then touch a quarter of the elements (≈ 5 % of a step).
 */
export function cnn(outputs: number, o: ModelOptions = {}): Layer {
  const init = initializerByName(defaultInit(o));
  const activation = o.activation ?? "relu";
  const act = activations[activation];
  const c = o.width ?? MODEL_DEFAULTS.cnn.width;
  const block = (channels: number) => [
    conv2d(channels, { kernel: 3, padding: 1, init, bias: o.hiddenBias }),
    ...(o.batchNorm ? [batchNorm()] : []),
    ...(activation === "relu" ? [maxPool2d(2), act()] : [act(), maxPool2d(2)]),
  ];
  return sequential(...block(c), ...block(2 * c), flatten(), linear(outputs, { init: initializerByName("glorot") }));
}

/** A tanh RNN reading an image row by row ([28, 28, 1] → 28 steps of 28 features), last state → linear. */
export function rnnClassifier(outputs: number, inputShape: number[], o: ModelOptions = {}): Layer {
  const steps = inputShape[0];
  const features = inputShape.slice(1).reduce((a, b) => a * b, 1);
  return sequential(
    reshape([steps, features]),
    rnn(o.width ?? MODEL_DEFAULTS.rnn.width, { init: initializerByName(o.init ?? "glorot"), lastOnly: true }),
    linear(outputs, { init: initializerByName("glorot") }),
  );
}

export function buildModel(name: ModelName, outputs: number, inputShape: number[], o: ModelOptions = {}): Layer {
  switch (name) {
    case "mlp":
      return mlp(outputs, o);
    case "cnn":
      if (inputShape.length !== 3)
        throw new Error(
          `--model cnn needs image inputs [height, width, channels], but the dataset has [${inputShape}]`,
        );
      return cnn(outputs, o);
    case "rnn":
      if (inputShape.length < 2)
        throw new Error(`--model rnn needs sequence inputs [time, features...], but the dataset has [${inputShape}]`);
      return rnnClassifier(outputs, inputShape, o);
  }
}
