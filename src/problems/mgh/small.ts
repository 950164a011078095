import type { MghFunction } from "./spec.js";

/** MGH functions 1–5, 7, 13 and 14: fixed small dimension, no data tables. */
export const smallFunctions: MghFunction[] = [
  {
    id: 1,
    name: "rosenbrock",
    n: 2,
    m: () => 2,
    x0: () => [-1.2, 1],
    residuals: (x, s) => s.concat([x.at(1).sub(x.at(0).square()).mul(10), x.at(0).rsub(1)]),
    fstar: () => 0,
    xstar: () => [1, 1],
    transcendental: false,
  },
  {
    id: 2,
    name: "freudenstein-roth",
    n: 2,
    m: () => 2,
    x0: () => [0.5, -2],
    residuals: (x, s) => {
      const [x1, x2] = [x.at(0), x.at(1)];
      return s.concat([
        x1.add(x2.rsub(5).mul(x2).sub(2).mul(x2)).sub(13),
        x1.add(x2.add(1).mul(x2).sub(14).mul(x2)).sub(29),
      ]);
    },
    fstar: () => 0,
    xstar: () => [5, 4],
    transcendental: false,
  },
  {
    id: 3,
    name: "powell-badly-scaled",
    n: 2,
    m: () => 2,
    x0: () => [0, 1],
    residuals: (x, s) => {
      const [x1, x2] = [x.at(0), x.at(1)];
      return s.concat([x1.mul(x2).mul(1e4).sub(1), x1.neg().exp().add(x2.neg().exp()).sub(1.0001)]);
    },
    fstar: () => 0,
    xstar: () => [1.098e-5, 9.106],
    transcendental: true,
  },
  {
    id: 4,
    name: "brown-badly-scaled",
    n: 2,
    m: () => 3,
    x0: () => [1, 1],
    residuals: (x, s) => {
      const [x1, x2] = [x.at(0), x.at(1)];
      return s.concat([x1.sub(1e6), x2.sub(2e-6), x1.mul(x2).sub(2)]);
    },
    fstar: () => 0,
    xstar: () => [1e6, 2e-6],
    transcendental: false,
  },
  {
    id: 5,
    name: "beale",
    n: 2,
    m: () => 3,
    x0: () => [1, 1],
    residuals: (x, s) => {
      const [x1, x2] = [x.at(0), x.at(1)];
      // y_i − x1(1 − x2^i), i = 1, 2, 3 (powers by products: x2 may be negative).
      const powers = [x2, x2.square(), x2.cube()];
      return s.concat([1.5, 2.25, 2.625].map((y, i) => x1.mul(powers[i].rsub(1)).rsub(y)));
    },
    fstar: () => 0,
    xstar: () => [3, 0.5],
    transcendental: false,
  },
  {
    id: 7,
    name: "helical-valley",
    n: 3,
    m: () => 3,
    x0: () => [-1, 0, 0],
    residuals: (x, s) => {
      const [x1, x2, x3] = [x.at(0), x.at(1), x.at(2)];
      // θ = arctan(x2/x1)/(2π), plus 1/2 when x1 < 0.
      const theta = x2
        .div(x1)
        .atan()
        .div(2 * Math.PI)
        .add(s.where(x1.less(0), 0.5, 0));
      return s.concat([x3.sub(theta.mul(10)).mul(10), x1.square().add(x2.square()).sqrt().sub(1).mul(10), x3]);
    },
    fstar: () => 0,
    xstar: () => [1, 0, 0],
    transcendental: true,
  },
  {
    id: 13,
    name: "powell-singular",
    n: 4,
    m: () => 4,
    x0: () => [3, -1, 0, 1],
    residuals: (x, s) => {
      const [x1, x2, x3, x4] = [x.at(0), x.at(1), x.at(2), x.at(3)];
      return s.concat([
        x1.add(x2.mul(10)),
        x3.sub(x4).mul(Math.sqrt(5)),
        x2.sub(x3.mul(2)).square(),
        x1.sub(x4).square().mul(Math.sqrt(10)),
      ]);
    },
    fstar: () => 0,
    xstar: () => [0, 0, 0, 0],
    transcendental: false,
  },
  {
    id: 14,
    name: "wood",
    n: 4,
    m: () => 6,
    x0: () => [-3, -1, -3, -1],
    residuals: (x, s) => {
      const [x1, x2, x3, x4] = [x.at(0), x.at(1), x.at(2), x.at(3)];
      return s.concat([
        x2.sub(x1.square()).mul(10),
        x1.rsub(1),
        x4.sub(x3.square()).mul(Math.sqrt(90)),
        x3.rsub(1),
        x2.add(x4).sub(2).mul(Math.sqrt(10)),
        x2.sub(x4).div(Math.sqrt(10)),
      ]);
    },
    fstar: () => 0,
    xstar: () => [1, 1, 1, 1],
    transcendental: false,
  },
];
