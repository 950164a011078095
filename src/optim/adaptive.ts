import { numpy as np, tree as jaxTree } from "@jax-js/jax";
import type { Tree } from "../engine/index.js";
import { oneMinus, release, resolve, use, type Resolved } from "./hyper.js";
import type { ScalarOrSchedule } from "./schedule.js";
import { fullLikeTree, mapTree, scalarLike, zerosLikeTree, type GradientTransformation } from "./transform.js";

/** ρ·avg + (1 − ρ)·x, the running average of 8.5 (consumes avg and x, borrows ρ). */
const ema = (avg: np.Array, x: np.Array, rho: Resolved, share: Resolved) => avg.mul(use(rho)).add(x.mul(use(share)));

export type AdagradState = { count: np.Array; sumSq: Tree };
export type RmsState = { count: np.Array; meanSq: Tree; mean?: Tree };
export type AdamState = { count: np.Array; c1: np.Array; c2: np.Array; s: Tree; r: Tree; rMax?: Tree };
export type NadamState = { count: np.Array; decay: np.Array; muProduct: np.Array; c2: np.Array; s: Tree; r: Tree };
export type LionState = { count: np.Array; m: Tree };

/**
 * Adagrad's accumulator (Alg. 8.4): r ← r + u⊙u, update u/(δ + √r). PyTorch's Adagrad starts r at `initialAccumulator`.
 */
export function scaleByAdagrad(
  delta: ScalarOrSchedule = 1e-7,
  initialAccumulator = 0,
): GradientTransformation<AdagradState> {
  return {
    init: (params) => ({ count: scalarLike(params), sumSq: fullLikeTree(params, initialAccumulator) }),
    update(updates, state, params) {
      jaxTree.dispose(params);
      const st = state;
      const k = st.count.add(1);
      const d = resolve(delta, k);
      const sumSq = mapTree((r, u) => r.add(np.square(u)), st.sumSq, jaxTree.ref(updates));
      const out = mapTree((u, r) => u.div(np.sqrt(r).add(use(d))), updates, jaxTree.ref(sumSq));
      release(d);
      return [out, { count: k, sumSq }];
    },
  };
}

export interface RmsOptions {
  /** The book's √(δ + r) (Alg. 8.5) when true; PyTorch's √r + δ when false. */
  deltaInsideRoot?: boolean;
  /** Divide by the root of the variance r − m², m the running mean of u (PyTorch's `centered`). */
  centered?: boolean;
}

/** RMSProp's running average (Alg. 8.5): r ← ρr + (1 − ρ)u⊙u, update u/√(δ + r) (or u/(√r + δ)). */
export function scaleByRms(
  rho: ScalarOrSchedule = 0.9,
  delta: ScalarOrSchedule = 1e-6,
  opts: RmsOptions = {},
): GradientTransformation<RmsState> {
  const { deltaInsideRoot = false, centered = false } = opts;
  return {
    init(params) {
      const state: RmsState = { count: scalarLike(params), meanSq: zerosLikeTree(jaxTree.ref(params)) };
      if (centered) state.mean = zerosLikeTree(jaxTree.ref(params));
      jaxTree.dispose(params);
      return state;
    },
    update(updates, state, params) {
      jaxTree.dispose(params);
      const st = state;
      const k = st.count.add(1);
      const [r, d] = [resolve(rho, k), resolve(delta, k)];
      const share = oneMinus(typeof r === "number" ? r : r.ref);
      const meanSq = mapTree((a, u) => ema(a, np.square(u), r, share), st.meanSq, jaxTree.ref(updates));
      const mean = centered ? mapTree((a, u) => ema(a, u, r, share), st.mean!, jaxTree.ref(updates)) : undefined;
      const variance = mean
        ? mapTree((s, m) => s.sub(np.square(m)), jaxTree.ref(meanSq), jaxTree.ref(mean))
        : jaxTree.ref(meanSq);
      const denominator = (v: np.Array) => (deltaInsideRoot ? np.sqrt(v.add(use(d))) : np.sqrt(v).add(use(d)));
      const out = mapTree((u, v) => u.div(denominator(v)), updates, variance);
      release(r, d, share);
      const next: RmsState = { count: k, meanSq };
      if (mean) next.mean = mean;
      return [out, next];
    },
  };
}

/**
 * The bias corrections 1 − ρ^t, kept in the state by c_t = (1 − ρ) + ρ·c_{t−1}, c_0 = 0: no power,
 * no cancellation (1 − ρ is formed on the host), so they are as accurate in float32 as PyTorch's
 * host-side `1 - beta ** step`.
 */
const biasCorrection = (c: np.Array, rho: number) => c.mul(rho).add(1 - rho);

/**
 * Adam's moments (Alg. 8.7): s ← ρ1 s + (1−ρ1)u, r ← ρ2 r + (1−ρ2)u⊙u, update ŝ/(√r̂ + δ) with
 * ŝ = s/(1−ρ1^t), r̂ = r/(1−ρ2^t). With `amsgrad` (Reddi et al.), r̂ uses the running maximum of r
 * (PyTorch's form: the maximum of the uncorrected r, then corrected). ρ1, ρ2 are constants: the bias
 * corrections assume so.
 */
export function scaleByAdam(
  rho1 = 0.9,
  rho2 = 0.999,
  delta: ScalarOrSchedule = 1e-8,
  opts: { amsgrad?: boolean } = {},
): GradientTransformation<AdamState> {
  const amsgrad = opts.amsgrad ?? false;
  return {
    init(params) {
      const state: AdamState = {
        count: scalarLike(params),
        c1: scalarLike(params),
        c2: scalarLike(params),
        s: zerosLikeTree(jaxTree.ref(params)),
        r: zerosLikeTree(jaxTree.ref(params)),
      };
      if (amsgrad) state.rMax = zerosLikeTree(jaxTree.ref(params));
      jaxTree.dispose(params);
      return state;
    },
    update(updates, state, params) {
      jaxTree.dispose(params);
      const st = state;
      const t = st.count.add(1);
      const d = resolve(delta, t);
      const s = mapTree((m, u) => ema(m, u, rho1, 1 - rho1), st.s, jaxTree.ref(updates));
      const r = mapTree((v, u) => ema(v, np.square(u), rho2, 1 - rho2), st.r, updates);
      const rMax = amsgrad ? mapTree((a, b) => np.maximum(a, b), st.rMax!, jaxTree.ref(r)) : undefined;
      const [c1, c2] = [biasCorrection(st.c1, rho1), biasCorrection(st.c2, rho2)];
      const out = mapTree(
        (m, v) => m.div(c1.ref).div(np.sqrt(v.div(c2.ref)).add(use(d))),
        jaxTree.ref(s),
        jaxTree.ref(rMax ?? r),
      );
      release(d);
      const next: AdamState = { count: t, c1, c2, s, r };
      if (rMax) next.rMax = rMax;
      return [out, next];
    },
  };
}

/**
 * NAdam as PyTorch computes it (Dozat 2016 with the momentum schedule μ_t = ρ1(1 − ½·0.96^(tψ))):
 * update (1−μ_t)/(1−Π_{i<=t}μ_i) · u/d + μ_{t+1}/(1−Π_{i<=t+1}μ_i) · s/d with d = √(r/(1−ρ2^t)) + δ.
 * `legacyMuProduct` reproduces PyTorch <= 1.13, whose second product is μ_t·Π_{i<=t+1}μ_i.
 */
export function scaleByNadam(
  rho1 = 0.9,
  rho2 = 0.999,
  delta = 1e-8,
  momentumDecay = 4e-3,
  opts: { legacyMuProduct?: boolean } = {},
): GradientTransformation<NadamState> {
  const decayPerStep = 0.96 ** momentumDecay; // 0.96^(tψ) kept in the state as a running product, like 1 − ρ2^t
  return {
    init: (params) => ({
      count: scalarLike(params),
      decay: scalarLike(params, 1),
      muProduct: scalarLike(params, 1),
      c2: scalarLike(params),
      s: zerosLikeTree(jaxTree.ref(params)),
      r: zerosLikeTree(params),
    }),
    update(updates, state, params) {
      jaxTree.dispose(params);
      const st = state;
      const t = st.count.add(1);
      const decay = st.decay.mul(decayPerStep);
      const muOf = (power: np.Array) => power.mul(-0.5).add(1).mul(rho1);
      const mu = muOf(decay.ref);
      const muNext = muOf(decay.ref.mul(decayPerStep));
      const muProduct = st.muProduct.mul(mu.ref);
      // PyTorch <= 1.13 multiplied μ_t into Π_{i<=t+1}μ_i a second time (fixed in 2.0, pytorch/pytorch#92699).
      const productNext = opts.legacyMuProduct
        ? muProduct.ref.mul(mu.ref).mul(muNext.ref)
        : muProduct.ref.mul(muNext.ref);
      const gradWeight = mu.neg().add(1).div(muProduct.ref.neg().add(1));
      const momentumWeight = muNext.div(productNext.neg().add(1));
      const s = mapTree((m, u) => ema(m, u, rho1, 1 - rho1), st.s, jaxTree.ref(updates));
      const r = mapTree((v, u) => ema(v, np.square(u), rho2, 1 - rho2), st.r, jaxTree.ref(updates));
      const c2 = biasCorrection(st.c2, rho2);
      const out = mapTree(
        (u, m, v) => {
          const denominator = np.sqrt(v.div(c2.ref)).add(delta);
          return u.mul(gradWeight.ref).add(m.mul(momentumWeight.ref)).div(denominator);
        },
        updates,
        jaxTree.ref(s),
        jaxTree.ref(r),
      );
      for (const a of [gradWeight, momentumWeight]) a.dispose();
      return [out, { count: t, decay, muProduct, c2, s, r }];
    },
  };
}

/** Lion's sign update (Chen et al. 2023): update sign(β1 m + (1−β1)u), then m ← β2 m + (1−β2)u. */
export function scaleByLion(
  beta1: ScalarOrSchedule = 0.9,
  beta2: ScalarOrSchedule = 0.99,
): GradientTransformation<LionState> {
  return {
    init: (params) => ({ count: scalarLike(params), m: zerosLikeTree(params) }),
    update(updates, state, params) {
      jaxTree.dispose(params);
      const st = state;
      const k = st.count.add(1);
      const [b1, b2] = [resolve(beta1, k), resolve(beta2, k)];
      const [share1, share2] = [
        oneMinus(typeof b1 === "number" ? b1 : b1.ref),
        oneMinus(typeof b2 === "number" ? b2 : b2.ref),
      ];
      // jax-js 0.1.25's np.sign returns float32 for float64 input: cast back.
      const out = mapTree(
        (m, u) => {
          const dtype = u.dtype;
          return np.sign(ema(m, u, b1, share1)).astype(dtype);
        },
        jaxTree.ref(st.m),
        jaxTree.ref(updates),
      );
      const m = mapTree((a, u) => ema(a, u, b2, share2), st.m, updates);
      release(b1, b2, share1, share2);
      return [out, { count: k, m }];
    },
  };
}
