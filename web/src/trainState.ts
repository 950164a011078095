/** Panel 2's state and its round trip through the URL (keys prefixed "t", beside panel 1's). */
import { DTYPES, type DTypeChoice } from "./state.js";

export const DATASETS = ["spirals", "blobs", "circles", "xor"] as const;
export const SCHEDULES = ["constant", "linear", "cosine"] as const;
export const ACTIVATIONS = ["relu", "tanh"] as const;

export interface TrainState {
  dataset: (typeof DATASETS)[number];
  seed: number;
  optimizer: string;
  lr: number;
  schedule: (typeof SCHEDULES)[number];
  batchSize: number;
  width: number;
  depth: number;
  batchNorm: boolean;
  init: string;
  activation: (typeof ACTIVATIONS)[number];
  steps: number;
  dtype: DTypeChoice;
}

const KEYS: Record<keyof TrainState, string> = {
  dataset: "tdata",
  seed: "tseed",
  optimizer: "topt",
  lr: "tlr",
  schedule: "tsched",
  batchSize: "tbatch",
  width: "twidth",
  depth: "tdepth",
  batchNorm: "tbn",
  init: "tinit",
  activation: "tact",
  steps: "tsteps",
  dtype: "tdtype",
};

// String(x) is the shortest decimal that parses back to the same double, so the URL keeps every value bit for bit.
export function encodeTrainState(s: TrainState): string {
  const q = new URLSearchParams();
  for (const [key, name] of Object.entries(KEYS)) {
    const v = s[key as keyof TrainState];
    q.set(name, typeof v === "boolean" ? (v ? "1" : "0") : String(v));
  }
  return q.toString();
}

/** Fields missing or unreadable keep the defaults' values; names outside a field's choices too. */
export function decodeTrainState(
  query: string,
  defaults: TrainState,
  names: { optimizers: string[]; inits: string[] },
) {
  const q = new URLSearchParams(query);
  const text = (key: keyof TrainState) => q.get(KEYS[key]);
  const num = (key: keyof TrainState, fallback: number, min: number, integer = true) => {
    const v = Number(text(key) ?? Number.NaN);
    return Number.isFinite(v) && v >= min ? (integer ? Math.round(v) : v) : fallback;
  };
  const choice = <T extends string>(key: keyof TrainState, options: readonly T[], fallback: T): T =>
    options.find((o) => o === text(key)) ?? fallback;
  const state: TrainState = {
    dataset: choice("dataset", DATASETS, defaults.dataset),
    seed: num("seed", defaults.seed, Number.MIN_SAFE_INTEGER),
    optimizer: choice("optimizer", names.optimizers, defaults.optimizer),
    lr: num("lr", defaults.lr, 0, false),
    schedule: choice("schedule", SCHEDULES, defaults.schedule),
    batchSize: num("batchSize", defaults.batchSize, 1),
    width: num("width", defaults.width, 1),
    depth: num("depth", defaults.depth, 0),
    batchNorm: text("batchNorm") === null ? defaults.batchNorm : text("batchNorm") === "1",
    init: choice("init", names.inits, defaults.init),
    activation: choice("activation", ACTIVATIONS, defaults.activation),
    steps: num("steps", defaults.steps, 1),
    dtype: choice("dtype", DTYPES, defaults.dtype),
  };
  return state;
}
