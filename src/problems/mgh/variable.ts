import { filled, oneTo, perDimension, type MghFunction } from "./spec.js";

/**
 * The interior grid t_i = i/(n+1), i = 1..n, of the two boundary-value problems (28, 29), and of their x0 = t(t − 1).
 */
const boundaryGrid = (n: number) => oneTo(n).map((i) => i / (n + 1));
// Problems 28 and 29 start at x0_j = t_j(t_j − 1) on that grid.
const boundaryStart = (n: number) => boundaryGrid(n).map((t) => t * (t - 1));

const range = (count: number) => Array.from({ length: count }, (_, i) => i);
/** The matrix M[i][j] = entry(i, j) (0-based) with the given shape. */
const matrix = (rows: number, cols: number, entry: (i: number, j: number) => number) =>
  range(rows).map((i) => range(cols).map((j) => entry(i, j)));

/** MGH functions 20–31: variable dimension n. */
export const variableFunctions: MghFunction[] = [
  {
    // 20: f_i = Σ_{j=2..n} (j−1) x_j t_i^{j−2} − (Σ_{j=1..n} x_j t_i^{j−1})²
    // − 1, t_i = i/29 (i <= 29); f_30 = x1, f_31 = x2 − x1² − 1.
    id: 20,
    name: "watson",
    n: 6,
    variable: { min: 2, max: 31 },
    m: () => 31,
    x0: (n) => filled(n, 0),
    residuals: (x, s, n) => {
      const t = oneTo(29).map((i) => i / 29);
      const derivative = x.range(1, n).leftMul(matrix(29, n - 1, (i, j) => (j + 1) * t[i] ** j));
      const value = x.leftMul(matrix(29, n, (i, j) => t[i] ** j));
      return s.concat([derivative.sub(value.square()).sub(1), x.at(0), x.at(1).sub(x.at(0).square()).sub(1)]);
    },
    fstar: perDimension({ 6: 2.28767e-3, 9: 1.39976e-6, 12: 4.72238e-10 }),
    transcendental: false,
  },
  {
    // 21: f_{2i−1} = 10(x_{2i} − x_{2i−1}²), f_{2i} = 1 − x_{2i−1}.
    id: 21,
    name: "extended-rosenbrock",
    n: 10,
    variable: { min: 2, max: 1000, multipleOf: 2 },
    m: (n) => n,
    x0: (n) => range(n).map((j) => (j % 2 === 0 ? -1.2 : 1)),
    residuals: (x, s, n) => {
      const odd = x.leftMul(matrix(n / 2, n, (i, j) => (j === 2 * i ? 1 : 0)));
      const even = x.leftMul(matrix(n / 2, n, (i, j) => (j === 2 * i + 1 ? 1 : 0)));
      return s.concat([even.sub(odd.square()).mul(10), odd.rsub(1)]);
    },
    fstar: () => 0,
    xstar: (n) => filled(n, 1),
    transcendental: false,
  },
  {
    // 22: f_{4i−3} = x_{4i−3} + 10x_{4i−2}, f_{4i−2} = √5(x_{4i−1} − x_{4i}),
    // f_{4i−1} = (x_{4i−2} − 2x_{4i−1})², f_{4i} = √10(x_{4i−3} − x_{4i})².
    id: 22,
    name: "extended-powell-singular",
    n: 12,
    variable: { min: 4, max: 1000, multipleOf: 4 },
    m: (n) => n,
    x0: (n) => range(n).map((j) => [3, -1, 0, 1][j % 4]),
    residuals: (x, s, n) => {
      const part = (k: number) => x.leftMul(matrix(n / 4, n, (i, j) => (j === 4 * i + k ? 1 : 0)));
      const [a, b, c, d] = [part(0), part(1), part(2), part(3)];
      return s.concat([
        a.add(b.mul(10)),
        c.sub(d).mul(Math.sqrt(5)),
        b.sub(c.mul(2)).square(),
        a.sub(d).square().mul(Math.sqrt(10)),
      ]);
    },
    fstar: () => 0,
    xstar: (n) => filled(n, 0),
    transcendental: false,
  },
  {
    // 23: f_i = √a (x_i − 1), i <= n; f_{n+1} = Σ x_j² − 1/4; a = 1e−5.
    id: 23,
    name: "penalty1",
    n: 10,
    variable: { min: 1, max: 1000 },
    m: (n) => n + 1,
    x0: (n) => oneTo(n),
    residuals: (x, s) => s.concat([x.sub(1).mul(Math.sqrt(1e-5)), x.square().sum().sub(0.25)]),
    fstar: perDimension({ 4: 2.24997e-5, 10: 7.08765e-5 }),
    transcendental: false,
  },
  {
    // 24: f_1 = x1 − 0.2; f_i = √a (e^{x_i/10} + e^{x_{i−1}/10} − y_i),
    // 2 <= i <= n; f_i = √a (e^{x_{i−n+1}/10} − e^{−1/10}), n < i < 2n;
    // f_{2n} = Σ (n − j + 1) x_j² − 1; a = 1e−5, y_i = e^{i/10} + e^{(i−1)/10}.
    id: 24,
    name: "penalty2",
    n: 10,
    variable: { min: 2, max: 1000 },
    m: (n) => 2 * n,
    x0: (n) => filled(n, 0.5),
    residuals: (x, s, n) => {
      const ra = Math.sqrt(1e-5);
      const e = x.div(10).exp();
      const y = range(n - 1).map((k) => Math.exp((k + 2) / 10) + Math.exp((k + 1) / 10));
      const pairs = e
        .range(1, n)
        .add(e.range(0, n - 1))
        .sub(y)
        .mul(ra);
      const singles = e.range(1, n).sub(Math.exp(-0.1)).mul(ra);
      const weighted = x
        .square()
        .mul(range(n).map((j) => n - j))
        .sum()
        .sub(1);
      return s.concat([x.at(0).sub(0.2), pairs, singles, weighted]);
    },
    fstar: perDimension({ 4: 9.37629e-6, 10: 2.9366e-4 }),
    transcendental: true,
  },
  {
    // 25: f_i = x_i − 1 (i <= n), f_{n+1} = Σ j(x_j − 1), f_{n+2} = (Σ j(x_j − 1))²; x0_j = 1 − j/n.
    id: 25,
    name: "variably-dimensioned",
    n: 10,
    variable: { min: 1, max: 1000 },
    m: (n) => n + 2,
    x0: (n) => oneTo(n).map((j) => 1 - j / n),
    residuals: (x, s, n) => {
      const weighted = x.sub(1).mul(oneTo(n)).sum();
      return s.concat([x.sub(1), weighted, weighted.square()]);
    },
    fstar: () => 0,
    xstar: (n) => filled(n, 1),
    transcendental: false,
  },
  {
    // 26: f_i = n − Σ cos x_j + i(1 − cos x_i) − sin x_i; x0 = 1/n.
    id: 26,
    name: "trigonometric",
    n: 10,
    variable: { min: 1, max: 1000 },
    m: (n) => n,
    x0: (n) => filled(n, 1 / n),
    residuals: (x, _s, n) => {
      const cos = x.cos();
      return cos.rsub(1).mul(oneTo(n)).sub(x.sin()).add(cos.sum().rsub(n));
    },
    fstar: () => 0,
    transcendental: true,
  },
  {
    // 27: f_i = x_i + Σ x_j − (n + 1), i < n; f_n = Π x_j − 1; x0
    // = 1/2. (1, …, 1) is a root of n α^n − (n+1) α^{n−1} + 1.
    id: 27,
    name: "brown-almost-linear",
    n: 10,
    variable: { min: 1, max: 1000 },
    m: (n) => n,
    x0: (n) => filled(n, 0.5),
    residuals: (x, s, n) =>
      s.concat([
        x
          .range(0, n - 1)
          .add(x.sum())
          .sub(n + 1),
        x.prod().sub(1),
      ]),
    fstar: () => 0,
    xstar: (n) => filled(n, 1),
    transcendental: false,
  },
  {
    // 28: f_i = 2x_i − x_{i−1} − x_{i+1} + h²(x_i + t_i + 1)³/2, h
    // = 1/(n+1), t_i = ih, x_0 = x_{n+1} = 0; x0_j = t_j(t_j − 1).
    id: 28,
    name: "discrete-boundary-value",
    n: 10,
    variable: { min: 1, max: 1000 },
    m: (n) => n,
    x0: boundaryStart,
    residuals: (x, _s, n) => {
      const h = 1 / (n + 1);
      const t = boundaryGrid(n);
      const laplacian = x.leftMul(matrix(n, n, (i, j) => (i === j ? 2 : Math.abs(i - j) === 1 ? -1 : 0)));
      return laplacian.add(
        x
          .add(t)
          .add(1)
          .cube()
          .mul((h * h) / 2),
      );
    },
    fstar: () => 0,
    transcendental: false,
  },
  {
    // 29: f_i = x_i + h[(1 − t_i) Σ_{j<=i} t_j (x_j + t_j + 1)³ + t_i Σ_{j>i} (1 − t_j)(x_j + t_j + 1)³]/2.
    id: 29,
    name: "discrete-integral-equation",
    n: 10,
    variable: { min: 1, max: 1000 },
    m: (n) => n,
    x0: boundaryStart,
    residuals: (x, _s, n) => {
      const h = 1 / (n + 1);
      const t = boundaryGrid(n);
      const kernel = matrix(n, n, (i, j) => (j <= i ? (1 - t[i]) * t[j] : t[i] * (1 - t[j])) * (h / 2));
      return x.add(x.add(t).add(1).cube().leftMul(kernel));
    },
    fstar: () => 0,
    transcendental: false,
  },
  {
    // 30: f_i = (3 − 2x_i) x_i − x_{i−1} − 2x_{i+1} + 1, x_0 = x_{n+1} = 0; x0 = −1.
    id: 30,
    name: "broyden-tridiagonal",
    n: 10,
    variable: { min: 1, max: 1000 },
    m: (n) => n,
    x0: (n) => filled(n, -1),
    residuals: (x, _s, n) => {
      const neighbours = x.leftMul(matrix(n, n, (i, j) => (j === i - 1 ? 1 : j === i + 1 ? 2 : 0)));
      return x.mul(2).rsub(3).mul(x).sub(neighbours).add(1);
    },
    fstar: () => 0,
    transcendental: false,
  },
  {
    // 31: f_i = x_i(2 + 5x_i²) + 1 − Σ_{j∈J_i} x_j(1 + x_j), J_i
    // = {j ≠ i : max(1, i − 5) <= j <= min(n, i + 1)}; x0 = −1.
    id: 31,
    name: "broyden-banded",
    n: 10,
    variable: { min: 1, max: 1000 },
    m: (n) => n,
    x0: (n) => filled(n, -1),
    residuals: (x, _s, n) => {
      const band = matrix(n, n, (i, j) => (j !== i && j >= i - 5 && j <= i + 1 ? 1 : 0));
      return x.square().mul(5).add(2).mul(x).add(1).sub(x.add(1).mul(x).leftMul(band));
    },
    fstar: () => 0,
    transcendental: false,
  },
];
