/**
 * The optimizer benchmark's test problems, after DeepOBS (Schneider, Balles & Hennig 2019): a noisy 100-D
 * quadratic with a deep-learning-like spectrum, noisy 2-D Rosenbrock and Beale, and three digits
 * classifiers (logistic regression, an MLP, a CNN). Each is a model (an (init, apply) pair) over a dataset
 * of examples, trained on minibatches; the synthetic problems' "examples" are the noise draws.
 */
import { numpy as np } from "@jax-js/jax";
import { random, toDevice } from "../engine/index.js";
import { mnistSplit, randomOrthogonal, subset, type Dataset } from "../data/index.js";
import { cnn, mlp, type Layer } from "../nn/index.js";

export interface SuiteProblem {
  name: string;
  description: string;
  model: Layer;
  /** The training examples minibatches are drawn from. */
  train: Dataset;
  /** The examples the reported loss is the mean over (the training set, or a fixed part of it for the CNN). */
  evaluation: Dataset;
  /** "cross-entropy" for the digits; "mean-output" where the model's output is each example's loss. */
  loss: "cross-entropy" | "mean-output";
  batchSize: number;
  /** Minibatch steps of a first-order run at --budget 1. */
  steps: number;
  /** Points of the loss curve (the evaluation set's loss is computed this many times per run). */
  evaluations: number;
  /** Tune only the grid's rates within [lo, hi] (a reduced tuning budget where runs are dear). */
  rateSpan?: [number, number];
  /** L-BFGS runs here, full batch on the deterministic training objective (cheap full gradients). */
  fullBatch: boolean;
}

export const PROBLEM_NAMES = ["quadratic_deep", "rosenbrock", "beale", "logreg", "mlp", "cnn"] as const;
export type ProblemName = (typeof PROBLEM_NAMES)[number];

// Fixed seeds of the problems' own data (the Hessian, the noise draws, the digits split): the same on every run.
const PROBLEM_SEED = 42;

/** n draws of N(0, std²) in d dimensions as a dataset with no labels. */
function noiseDataset(name: string, n: number, d: number, std: number, seed: number): Dataset {
  return {
    name,
    x: Float32Array.from(random.normal(random.randomKey(seed), n * d, 0, std)),
    xShape: [d],
    y: new Float32Array(n),
    yShape: [],
    numClasses: 0,
    size: n,
  };
}

/** Q = Rᵀ diag(λ) R: 90 % of λ uniform in (0, 1), 10 % in (30, 60), R a random rotation (DeepOBS quadratic_deep). */
export function deepQuadraticHessian(dim: number, seed: number): Float64Array {
  const [ke, kr] = random.splitKey(random.randomKey(seed), 2);
  const small = Math.round(0.9 * dim);
  const u = random.uniform(ke, dim);
  const lambda = Array.from(u, (v, i) => (i < small ? v : 30 + 30 * v));
  const r = randomOrthogonal(kr, dim);
  const q = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++)
    for (let j = 0; j < dim; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += r[k * dim + i] * lambda[k] * r[k * dim + j];
      q[i * dim + j] = s;
    }
  return q;
}

/** Per example x: ½ (θ − x)ᵀ Q (θ − x), from θ = 1 (DeepOBS's net_quadratic_deep); Q is on the device from init on. */
function quadraticModel(hessian: Float64Array, dim: number): Layer {
  let q: np.Array | undefined;
  return {
    kind: "quadratic",
    init: (_key, _shape, precision) => {
      q ??= toDevice(hessian, [dim, dim], precision);
      return {
        params: { theta: toDevice(new Float64Array(dim).fill(1), [dim], precision) },
        state: {},
        outputShape: [],
      };
    },
    apply: (params, state, x) => {
      const d = np.subtract((params as { theta: np.Array }).theta, x);
      const quad = np.multiply(np.matmul(d.ref, q!.ref), d);
      return [np.multiply(np.sum(quad, 1), 0.5), state];
    },
  };
}

/** A 2-D function f(u, v) plus the noise u·x₁ + v·x₂ of one example (DeepOBS's two_d problems), from (u0, v0). */
function twoDModel(kind: string, start: [number, number], f: (u: np.Array, v: np.Array) => np.Array): Layer {
  return {
    kind,
    init: (_key, _shape, precision) => ({
      params: { u: toDevice([start[0]], [1], precision), v: toDevice([start[1]], [1], precision) },
      state: {},
      outputShape: [],
    }),
    apply: (params, state, x) => {
      const { u, v } = params as { u: np.Array; v: np.Array };
      const noise = np.matmul(x, np.concatenate([u.ref, v.ref]));
      return [np.add(f(u, v), noise), state];
    },
  };
}

const sq = (a: np.Array) => np.square(a);

/** (1 − u)² + 100 (v − u²)². */
const rosenbrock = (u: np.Array, v: np.Array) =>
  np.add(sq(np.subtract(1, u.ref)), np.multiply(100, sq(np.subtract(v, sq(u)))));

/** (1.5 − u + uv)² + (2.25 − u + uv²)² + (2.625 − u + uv³)². */
function beale(u: np.Array, v: np.Array): np.Array {
  const v2 = np.multiply(v.ref, v.ref);
  const v3 = np.multiply(v2.ref, v.ref);
  const term = (c: number, vk: np.Array) => sq(np.add(np.subtract(c, u.ref), np.multiply(u.ref, vk)));
  const total = np.add(np.add(term(1.5, v), term(2.25, v2)), term(2.625, v3));
  u.dispose();
  return total;
}

let digitsCache: { train: Dataset; test: Dataset } | undefined;
const digits = () => (digitsCache ??= mnistSplit(PROBLEM_SEED));
// A fixed part of the training set to evaluate the loss on where the whole set would cost more than the training.
const firstDigits = (n: number) =>
  subset(
    digits().train,
    Int32Array.from({ length: n }, (_, i) => i),
    `mnist/train-first-${n}`,
  );

/** The problem `name` (its data built here, deterministic). */
export function suiteProblem(name: ProblemName): SuiteProblem {
  switch (name) {
    case "quadratic_deep": {
      const dim = 100;
      return {
        name,
        description:
          "DeepOBS quadratic_deep: ½(θ−x)ᵀQ(θ−x), 100-D, Q's eigenvalues 90 % in (0,1), 10 % in (30,60), " +
          "x ~ N(0, 0.6²I), 1 000 draws",
        model: quadraticModel(deepQuadraticHessian(dim, PROBLEM_SEED), dim),
        train: noiseDataset("quadratic-noise", 1000, dim, 0.6, PROBLEM_SEED),
        evaluation: noiseDataset("quadratic-noise", 1000, dim, 0.6, PROBLEM_SEED),
        loss: "mean-output",
        batchSize: 128,
        steps: 200,
        evaluations: 10,
        fullBatch: true,
      };
    }
    case "rosenbrock":
    case "beale": {
      const noise = noiseDataset("2d-noise", 1000, 2, 1, PROBLEM_SEED);
      const isRosenbrock = name === "rosenbrock";
      return {
        name,
        description: isRosenbrock
          ? "noisy Rosenbrock (1−u)²+100(v−u²)² + u·x₁+v·x₂, x ~ N(0, I), from (−0.5, 1.5), 1 000 draws"
          : "noisy Beale + u·x₁+v·x₂, x ~ N(0, I), from (−4.5, 4.5), 1 000 draws",
        model: isRosenbrock ? twoDModel("rosenbrock", [-0.5, 1.5], rosenbrock) : twoDModel("beale", [-4.5, 4.5], beale),
        train: noise,
        evaluation: noise,
        loss: "mean-output",
        batchSize: 128,
        steps: 300,
        evaluations: 10,
        fullBatch: true,
      };
    }
    case "logreg":
      return {
        name,
        description: "multinomial logistic regression (784→10 softmax) on the 8 000 training digits",
        model: mlp(10, { depth: 0 }),
        train: digits().train,
        evaluation: digits().train,
        loss: "cross-entropy",
        batchSize: 128,
        steps: 300,
        evaluations: 10,
        fullBatch: true,
      };
    case "mlp":
      return {
        name,
        description: "MLP 784-256-256-10 (ReLU) on the 8 000 training digits; loss over 2 000 fixed training digits",
        model: mlp(10),
        train: digits().train,
        evaluation: firstDigits(2000),
        loss: "cross-entropy",
        batchSize: 128,
        steps: 150,
        evaluations: 10,
        fullBatch: false,
      };
    case "cnn":
      return {
        name,
        description:
          "CNN conv16-pool-conv32-pool-linear on the digits, at a reduced budget (30 steps of 32); " +
          "loss over 128 fixed training digits",
        model: cnn(10),
        train: digits().train,
        evaluation: subset(
          digits().train,
          Int32Array.from({ length: 500 }, (_, i) => i),
          "mnist/train-500",
        ),
        loss: "cross-entropy",
        batchSize: 32,
        steps: 30,
        evaluations: 5,
        rateSpan: [1e-3, 1e-1],
        fullBatch: false,
      };
  }
}

export const isProblemName = (name: string): name is ProblemName => (PROBLEM_NAMES as readonly string[]).includes(name);
