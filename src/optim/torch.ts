/**
 * `torch.optim` reproduced exactly (PyTorch 1.13's single-tensor update rules), options named as in
 * PyTorch and with its defaults. Registered for `descent optimize` / `descent train` as `torch.<Name>`.
 * docs/optimizers.md lists every difference from the book's forms.
 */
import { scaleByAdagrad, scaleByAdam, scaleByNadam, scaleByRms } from "./adaptive.js";
import { isConstant } from "./hyper.js";
import { torchMomentum, traceMomentum } from "./momentum.js";
import { negate, scaleByLearningRate } from "./scale.js";
import { inverseTimeSchedule, type ScalarOrSchedule } from "./schedule.js";
import { chain, type GradientTransformation } from "./transform.js";
import { addDecayedWeights } from "./weightDecay.js";

type Hyper = ScalarOrSchedule;

// PyTorch negates the gradient first (`maximize`) and adds weight_decay·θ to it next (coupled L2).
function prologue(maximize: boolean, weightDecay: Hyper): GradientTransformation[] {
  const parts: GradientTransformation[] = [];
  if (maximize) parts.push(negate());
  if (!isConstant(weightDecay, 0)) parts.push(addDecayedWeights(weightDecay));
  return parts;
}

export interface SGDOptions {
  lr?: Hyper;
  momentum?: Hyper;
  dampening?: Hyper;
  weight_decay?: Hyper;
  nesterov?: boolean;
  maximize?: boolean;
}

/** torch.optim.SGD: b ← μb + (1−dampening)g (b = g at first), θ ← θ − ε·(nesterov ? g + μb : b). */
export function SGD(opts: SGDOptions = {}): GradientTransformation {
  const { lr = 1e-3, momentum = 0, dampening = 0, weight_decay = 0, nesterov = false, maximize = false } = opts;
  if (nesterov && (isConstant(momentum, 0) || !isConstant(dampening, 0)))
    throw new Error("torch.SGD: Nesterov momentum requires a momentum and zero dampening");
  const parts = prologue(maximize, weight_decay);
  if (!isConstant(momentum, 0)) parts.push(torchMomentum(momentum, dampening, nesterov));
  return chain(...parts, scaleByLearningRate(lr));
}

export interface AdagradOptions {
  lr?: Hyper;
  lr_decay?: number;
  weight_decay?: Hyper;
  initial_accumulator_value?: number;
  eps?: Hyper;
  maximize?: boolean;
}

/** torch.optim.Adagrad: r ← r + g⊙g (r₀ = initial_accumulator_value), θ ← θ − ε/(1 + (k−1)·lr_decay) · g/(√r + eps). */
export function Adagrad(opts: AdagradOptions = {}): GradientTransformation {
  const {
    lr = 1e-2,
    lr_decay = 0,
    weight_decay = 0,
    initial_accumulator_value = 0,
    eps = 1e-10,
    maximize = false,
  } = opts;
  const rate: Hyper =
    lr_decay === 0
      ? lr
      : typeof lr === "number"
        ? inverseTimeSchedule(lr, lr_decay)
        : (k) => lr(k.ref).mul(inverseTimeSchedule(1, lr_decay)(k));
  return chain(
    ...prologue(maximize, weight_decay),
    scaleByAdagrad(eps, initial_accumulator_value),
    scaleByLearningRate(rate),
  );
}

export interface RMSpropOptions {
  lr?: Hyper;
  alpha?: Hyper;
  eps?: Hyper;
  weight_decay?: Hyper;
  momentum?: Hyper;
  centered?: boolean;
  maximize?: boolean;
}

/** torch.optim.RMSprop: r ← αr + (1−α)g⊙g, d = √r + eps (√(r − m²) + eps if centered), b ← μb + g/d, θ ← θ − εb. */
export function RMSprop(opts: RMSpropOptions = {}): GradientTransformation {
  const {
    lr = 1e-2,
    alpha = 0.99,
    eps = 1e-8,
    weight_decay = 0,
    momentum = 0,
    centered = false,
    maximize = false,
  } = opts;
  const parts = [...prologue(maximize, weight_decay), scaleByRms(alpha, eps, { deltaInsideRoot: false, centered })];
  if (!isConstant(momentum, 0)) parts.push(traceMomentum(momentum));
  return chain(...parts, scaleByLearningRate(lr));
}

export interface AdamOptions {
  lr?: Hyper;
  betas?: [number, number];
  eps?: Hyper;
  weight_decay?: Hyper;
  amsgrad?: boolean;
  maximize?: boolean;
}

/** torch.optim.Adam: Alg. 8.7 with weight_decay·θ added to g; `amsgrad` keeps the running maximum of r. */
export function Adam(opts: AdamOptions = {}): GradientTransformation {
  const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weight_decay = 0, amsgrad = false, maximize = false } = opts;
  return chain(
    ...prologue(maximize, weight_decay),
    scaleByAdam(betas[0], betas[1], eps, { amsgrad }),
    scaleByLearningRate(lr),
  );
}

/** torch.optim.AdamW: θ ← θ(1 − ε·weight_decay) then the Adam step: decay decoupled from the moments. */
export function AdamW(opts: AdamOptions = {}): GradientTransformation {
  const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weight_decay = 1e-2, amsgrad = false, maximize = false } = opts;
  const parts = maximize ? [negate()] : [];
  parts.push(scaleByAdam(betas[0], betas[1], eps, { amsgrad }));
  if (!isConstant(weight_decay, 0)) parts.push(addDecayedWeights(weight_decay));
  return chain(...parts, scaleByLearningRate(lr));
}

export interface NAdamOptions {
  lr?: Hyper;
  betas?: [number, number];
  eps?: number;
  weight_decay?: Hyper;
  momentum_decay?: number;
  /** Reproduce PyTorch <= 1.13, which counted μ_t twice in μ_{t+1}'s product (fixed in 2.0: pytorch/pytorch#92699). */
  legacy_mu_product?: boolean;
}

/**
 * torch.optim.NAdam as of PyTorch 2.0 (Dozat 2016 with PyTorch's
 * momentum schedule μ_t = β1(1 − ½·0.96^(t·momentum_decay))).
 */
export function NAdam(opts: NAdamOptions = {}): GradientTransformation {
  const {
    lr = 2e-3,
    betas = [0.9, 0.999],
    eps = 1e-8,
    weight_decay = 0,
    momentum_decay = 4e-3,
    legacy_mu_product = false,
  } = opts;
  const moments = scaleByNadam(betas[0], betas[1], eps, momentum_decay, { legacyMuProduct: legacy_mu_product });
  return chain(...prologue(false, weight_decay), moments, scaleByLearningRate(lr));
}
