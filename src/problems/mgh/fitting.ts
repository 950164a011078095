import { BARD_Y, GAUSSIAN_Y, KOWALIK_U, KOWALIK_Y, MEYER_Y, OSBORNE1_Y, OSBORNE2_Y } from "./data.js";
import { oneTo, type MghFunction } from "./spec.js";

const fixed = (
  id: number,
  name: string,
  n: number,
  m: number,
  x0: number[],
  rest: Pick<MghFunction, "residuals" | "fstar" | "xstar">,
): MghFunction => ({
  id,
  name,
  n,
  m: () => m,
  x0: () => x0,
  transcendental: true,
  ...rest,
});

/** MGH functions 6, 8–12 and 15–19: fixed-size data fitting (exponential, rational and Gaussian models). */
export const fittingFunctions: MghFunction[] = [
  // 6: f_i = 2 + 2i − (e^{i x1} + e^{i x2}), m = 10.
  fixed(6, "jennrich-sampson", 2, 10, [0.3, 0.4], {
    residuals: (x, s) => {
      const i = s.constant(oneTo(10));
      return i
        .mul(x.at(0))
        .exp()
        .add(i.mul(x.at(1)).exp())
        .rsub(i.mul(2).add(2));
    },
    fstar: () => 124.362,
    xstar: () => [0.2578, 0.2578],
  }),
  // 8: f_i = y_i − (x1 + u_i/(v_i x2 + w_i x3)), u_i = i, v_i = 16 − i, w_i = min(u_i, v_i).
  fixed(8, "bard", 3, 15, [1, 1, 1], {
    residuals: (x, s) => {
      const u = oneTo(15);
      const v = u.map((i) => 16 - i);
      const w = u.map((i, k) => Math.min(i, v[k]));
      const denominator = s
        .constant(v)
        .mul(x.at(1))
        .add(s.constant(w).mul(x.at(2)));
      return denominator.rdiv(u).add(x.at(0)).rsub(BARD_Y);
    },
    fstar: () => 8.21487e-3,
  }),
  // 9: f_i = x1 exp(−x2 (t_i − x3)²/2) − y_i, t_i = (8 − i)/2.
  fixed(9, "gaussian", 3, 15, [0.4, 1, 0], {
    residuals: (x, s) => {
      const t = s.constant(oneTo(15).map((i) => (8 - i) / 2));
      return t.sub(x.at(2)).square().mul(x.at(1)).div(-2).exp().mul(x.at(0)).sub(GAUSSIAN_Y);
    },
    fstar: () => 1.12793e-8,
  }),
  // 10: f_i = x1 exp(x2/(t_i + x3)) − y_i, t_i = 45 + 5i.
  fixed(10, "meyer", 3, 16, [0.02, 4000, 250], {
    residuals: (x, s) =>
      s
        .constant(oneTo(16).map((i) => 45 + 5 * i))
        .add(x.at(2))
        .rdiv(x.at(1))
        .exp()
        .mul(x.at(0))
        .sub(MEYER_Y),
    fstar: () => 87.9458,
  }),
  // 11: f_i = exp(−|y_i − x2|^{x3}/x1) − t_i, t_i = i/100, y_i = 25 + (−50 ln t_i)^{2/3}, m = 99 (n <= m <= 100).
  // The paper prints "y_i m i x_2"; f* = 0 at (50, 25, 1.5)
  // holds only for y_i − x_2 (Hock & Schittkowski's problem 25).
  fixed(11, "gulf", 3, 99, [5, 2.5, 0.15], {
    residuals: (x, s) => {
      const t = oneTo(99).map((i) => i / 100);
      const y = t.map((ti) => 25 + (-50 * Math.log(ti)) ** (2 / 3));
      return s.constant(y).sub(x.at(1)).abs().pow(x.at(2)).div(x.at(0)).neg().exp().sub(t);
    },
    fstar: () => 0,
    xstar: () => [50, 25, 1.5],
  }),
  // 12: f_i = e^{−t_i x1} − e^{−t_i x2} − x3 (e^{−t_i} − e^{−10 t_i}), t_i = i/10, m = 10.
  fixed(12, "box-3d", 3, 10, [0, 10, 20], {
    residuals: (x, s) => {
      const t = oneTo(10).map((i) => i / 10);
      const tc = s.constant(t);
      const c = t.map((ti) => Math.exp(-ti) - Math.exp(-10 * ti));
      return tc
        .mul(x.at(0))
        .neg()
        .exp()
        .sub(tc.mul(x.at(1)).neg().exp())
        .sub(x.at(2).mul(c));
    },
    fstar: () => 0,
    xstar: () => [1, 10, 1],
  }),
  // 15: f_i = y_i − x1 (u_i² + u_i x2)/(u_i² + u_i x3 + x4).
  fixed(15, "kowalik-osborne", 4, 11, [0.25, 0.39, 0.415, 0.39], {
    residuals: (x, s) => {
      const u = s.constant(KOWALIK_U);
      const u2 = KOWALIK_U.map((v) => v * v);
      const numerator = u.mul(x.at(1)).add(u2).mul(x.at(0));
      return numerator.div(u.mul(x.at(2)).add(u2).add(x.at(3))).rsub(KOWALIK_Y);
    },
    fstar: () => 3.07505e-4,
  }),
  // 16: f_i = (x1 + t_i x2 − e^{t_i})² + (x3 + x4 sin t_i − cos t_i)², t_i = i/5, m = 20.
  fixed(16, "brown-dennis", 4, 20, [25, 5, -5, -1], {
    residuals: (x, s) => {
      const t = oneTo(20).map((i) => i / 5);
      const a = s.constant(t).mul(x.at(1)).add(x.at(0)).sub(t.map(Math.exp));
      const b = s.constant(t.map(Math.sin)).mul(x.at(3)).add(x.at(2)).sub(t.map(Math.cos));
      return a.square().add(b.square());
    },
    fstar: () => 85822.2,
  }),
  // 17: f_i = y_i − (x1 + x2 e^{−t_i x4} + x3 e^{−t_i x5}), t_i = 10(i − 1).
  fixed(17, "osborne1", 5, 33, [0.5, 1.5, -1, 0.01, 0.02], {
    residuals: (x, s) => {
      const t = s.constant(oneTo(33).map((i) => 10 * (i - 1)));
      const model = t
        .mul(x.at(3))
        .neg()
        .exp()
        .mul(x.at(1))
        .add(t.mul(x.at(4)).neg().exp().mul(x.at(2)))
        .add(x.at(0));
      return model.rsub(OSBORNE1_Y);
    },
    fstar: () => 5.46489e-5,
  }),
  // 18: f_i = x3 e^{−t_i x1} − x4 e^{−t_i x2} + x6 e^{−t_i x5} − y_i,
  // t_i = i/10, y_i = e^{−t_i} − 5e^{−10 t_i} + 3e^{−4 t_i}, m = 13.
  fixed(18, "biggs-exp6", 6, 13, [1, 2, 1, 1, 1, 1], {
    residuals: (x, s) => {
      const t = oneTo(13).map((i) => i / 10);
      const y = t.map((ti) => Math.exp(-ti) - 5 * Math.exp(-10 * ti) + 3 * Math.exp(-4 * ti));
      const decay = (k: number) => s.constant(t).mul(x.at(k)).neg().exp();
      return decay(0)
        .mul(x.at(2))
        .sub(decay(1).mul(x.at(3)))
        .add(decay(4).mul(x.at(5)))
        .sub(y);
    },
    fstar: () => 0,
    xstar: () => [1, 10, 1, 5, 4, 3],
  }),
  // 19: f_i = y_i − (x1 e^{−t_i x5} + x2 e^{−(t_i − x9)² x6} + x3
  // e^{−(t_i − x10)² x7} + x4 e^{−(t_i − x11)² x8}), t_i = (i − 1)/10.
  fixed(19, "osborne2", 11, 65, [1.3, 0.65, 0.65, 0.7, 0.6, 3, 5, 7, 2, 4.5, 5.5], {
    residuals: (x, s) => {
      const t = s.constant(oneTo(65).map((i) => (i - 1) / 10));
      const bump = (amplitude: number, width: number, centre: number) =>
        t.sub(x.at(centre)).square().mul(x.at(width)).neg().exp().mul(x.at(amplitude));
      const model = t
        .mul(x.at(4))
        .neg()
        .exp()
        .mul(x.at(0))
        .add(bump(1, 5, 8))
        .add(bump(2, 6, 9))
        .add(bump(3, 7, 10));
      return model.rsub(OSBORNE2_Y);
    },
    fstar: () => 4.01377e-2,
  }),
];
