import { filled, oneTo, type MghFunction } from "./spec.js";

/** m for the linear functions 32–34: the paper allows any m >= n; we take m = 2n. */
const twice = (n: number) => 2 * n;

/** MGH functions 32–35: the three linear least-squares functions and Chebyquad. */
export const linearFunctions: MghFunction[] = [
  {
    // 32: f_i = x_i − (2/m) Σ x_j − 1 (i <= n), f_i = −(2/m) Σ x_j − 1 (n < i <= m); f* = m − n at x = −1.
    id: 32,
    name: "linear-full-rank",
    n: 10,
    variable: { min: 1, max: 1000 },
    m: twice,
    x0: (n) => filled(n, 1),
    residuals: (x, s, n) => {
      const shift = x
        .sum()
        .mul(2 / twice(n))
        .add(1);
      return s.concat([x.sub(shift), shift.mul(filled(n, 1)).neg()]);
    },
    fstar: (n) => twice(n) - n,
    xstar: (n) => filled(n, -1),
    transcendental: false,
  },
  {
    // 33: f_i = i (Σ j x_j) − 1; f* = m(m − 1)/(2(2m + 1)) wherever Σ j x_j = 3/(2m + 1).
    id: 33,
    name: "linear-rank1",
    n: 10,
    variable: { min: 1, max: 1000 },
    m: twice,
    x0: (n) => filled(n, 1),
    residuals: (x, _s, n) =>
      x
        .mul(oneTo(n))
        .sum()
        .mul(oneTo(twice(n)))
        .sub(1),
    fstar: (n) => (twice(n) * (twice(n) - 1)) / (2 * (2 * twice(n) + 1)),
    xstar: (n) => [3 / (2 * twice(n) + 1), ...filled(n - 1, 0)],
    transcendental: false,
  },
  {
    // 34: f_1 = f_m = −1, f_i = (i − 1)(Σ_{j=2..n−1} j x_j) − 1; f* = (m²
    // + 3m − 6)/(2(2m − 3)) wherever Σ_{j=2..n−1} j x_j = 3/(2m − 3).
    id: 34,
    name: "linear-rank1-zero",
    n: 10,
    variable: { min: 3, max: 1000 },
    m: twice,
    x0: (n) => filled(n, 1),
    residuals: (x, _s, n) => {
      const m = twice(n);
      const inner = x.mul(oneTo(n).map((j) => (j >= 2 && j <= n - 1 ? j : 0))).sum();
      return inner.mul(oneTo(m).map((i) => (i === 1 || i === m ? 0 : i - 1))).sub(1);
    },
    fstar: (n) => (twice(n) ** 2 + 3 * twice(n) - 6) / (2 * (2 * twice(n) - 3)),
    xstar: (n) => [0, 3 / (2 * (2 * twice(n) - 3)), ...filled(n - 2, 0)],
    transcendental: false,
  },
  {
    // 35: f_i = (1/n) Σ_j T_i(x_j) − ∫_0^1 T_i, T_i the Chebyshev polynomial
    // shifted to [0, 1]; ∫ = 0 (i odd), −1/(i² − 1) (i even); m = n.
    id: 35,
    name: "chebyquad",
    n: 8,
    variable: { min: 1, max: 100 },
    m: (n) => n,
    x0: (n) => oneTo(n).map((j) => j / (n + 1)),
    residuals: (x, s, n) => {
      const y = x.mul(2).sub(1);
      const terms = [];
      let [previous, current] = [s.constant(filled(n, 1)), y];
      for (let i = 1; i <= n; i++) {
        terms.push(
          current
            .sum()
            .div(n)
            .sub(i % 2 === 1 ? 0 : -1 / (i * i - 1)),
        );
        [previous, current] = [current, y.mul(current).mul(2).sub(previous)];
      }
      return s.concat(terms);
    },
    fstar: (n) => ({ 8: 3.51687e-3, 10: 6.50395e-3 })[n] ?? (n <= 7 || n === 9 ? 0 : undefined),
    transcendental: false,
  },
];
