import { numpy as np } from "@jax-js/jax";
import { toDevice, type Precision } from "../engine/index.js";
import type { Problem } from "./problem.js";

/** A 2-D objective to draw: the problem, where a run starts by default, and the box to look at. */
export interface Surface {
  name: string;
  description: string;
  /** Builds the problem on the device of `precision` (its constants travel as device scalars). */
  problem(precision: Precision): Problem;
  start: [number, number];
  view: { x: [number, number]; y: [number, number] };
  /** Known minimizer, drawn as a cross. */
  minimum?: [number, number];
  /** Whether the contour levels should be log-spaced (values spanning decades). */
  logLevels?: boolean;
}

type Coeffs = Record<string, np.Array>;

/**
 * A 2-D problem f(x, y) whose constants are device scalars: jax-js jit rounds JS number constants to
 * float32, which would cost float64 runs their exactness.
 */
function surfaceProblem(
  name: string,
  start: [number, number],
  precision: Precision,
  constants: Record<string, number>,
  f: (x: np.Array, y: np.Array, c: Coeffs) => np.Array,
): Problem {
  const c: Coeffs = Object.fromEntries(Object.entries(constants).map(([k, v]) => [k, toDevice([v], [], precision)]));
  // Each use of a coefficient takes its own reference; the problem keeps the originals until dispose.
  const refs = new Proxy(c, { get: (target, key: string) => target[key].ref });
  return {
    name,
    dim: 2,
    x0: Float64Array.from(start),
    f: (theta) => f(theta.ref.slice(0), theta.slice(1), refs),
    dispose: () => Object.values(c).forEach((a) => a.dispose()),
  };
}

const sq = (a: np.Array) => np.square(a);

/** Every built-in surface, by name (the playground and `descent landscape` draw these). */
export const SURFACES: Record<string, Surface> = {
  "ill-conditioned": {
    name: "ill-conditioned",
    description: "½(x² + 25y²) rotated by 30°: condition number 25 (8.2.1)",
    start: [-4.2, -1.8],
    view: { x: [-5, 5], y: [-3.5, 3.5] },
    minimum: [0, 0],
    logLevels: true,
    problem: (p) =>
      surfaceProblem(
        "ill-conditioned",
        [-4.2, -1.8],
        p,
        { c: Math.cos(Math.PI / 6), s: Math.sin(Math.PI / 6), k: 25 },
        (x, y, c) => {
          const u = x.ref.mul(c.c).add(y.ref.mul(c.s));
          const v = y.mul(c.c).sub(x.mul(c.s));
          return sq(u).add(sq(v).mul(c.k)).mul(0.5);
        },
      ),
  },
  rosenbrock: {
    name: "rosenbrock",
    description: "(1 − x)² + 100(y − x²)²: a curved narrow valley, minimum at (1, 1)",
    start: [-1.2, 1],
    view: { x: [-2, 2], y: [-1, 3] },
    minimum: [1, 1],
    logLevels: true,
    problem: (p) =>
      surfaceProblem("rosenbrock", [-1.2, 1], p, { h: 100 }, (x, y, c) =>
        sq(x.ref.neg().add(1)).add(sq(y.sub(sq(x))).mul(c.h)),
      ),
  },
  beale: {
    name: "beale",
    description: "Beale's function: flat plateaus and steep walls, minimum 0 at (3, 0.5)",
    start: [1, 1.5],
    view: { x: [-4.5, 4.5], y: [-4.5, 4.5] },
    minimum: [3, 0.5],
    logLevels: true,
    problem: (p) =>
      surfaceProblem("beale", [1, 1.5], p, { a: 1.5, b: 2.25, c: 2.625 }, (x, y, c) => {
        const term = (k: np.Array, power: number) => sq(k.sub(x.ref.sub(x.ref.mul(np.power(y.ref, power)))));
        const out = term(c.a, 1).add(term(c.b, 2)).add(term(c.c, 3));
        x.dispose();
        y.dispose();
        return out;
      }),
  },
  saddle: {
    name: "saddle",
    description: "x² − y²: a saddle point at the origin (8.2.3), started just off the ridge",
    start: [-2, 0.05],
    view: { x: [-2.5, 2.5], y: [-2.5, 2.5] },
    problem: (p) => surfaceProblem("saddle", [-2, 0.05], p, {}, (x, y) => sq(x).sub(sq(y))),
  },
  cliff: {
    name: "cliff",
    description:
      "a shallow bowl 0.1(x² + y²) with a cliff 3·tanh(8(−x − 1)) across it: the gradient at the edge throws a step " +
      "far away (8.2.4)",
    start: [-3.5, 1],
    view: { x: [-4, 4], y: [-3, 3] },
    problem: (p) =>
      surfaceProblem("cliff", [-3.5, 1], p, { bowl: 0.1, height: 3, sharp: 8 }, (x, y, c) =>
        sq(x.ref)
          .add(sq(y))
          .mul(c.bowl)
          .add(np.tanh(x.neg().sub(1).mul(c.sharp)).mul(c.height)),
      ),
  },
  plateau: {
    name: "plateau",
    description: "1 − exp(−(x² + y²)/2): almost flat far from the minimum, so gradients vanish there (8.2.3)",
    start: [2.6, 2.2],
    view: { x: [-4, 4], y: [-4, 4] },
    minimum: [0, 0],
    problem: (p) =>
      surfaceProblem("plateau", [2.6, 2.2], p, { half: 0.5 }, (x, y, c) =>
        np
          .exp(sq(x).add(sq(y)).mul(c.half).neg())
          .neg()
          .add(1),
      ),
  },
  rastrigin: {
    name: "rastrigin",
    description: "Rastrigin-like 0.5(x² + y²) + 2(2 − cos 2πx − cos 2πy): a grid of local minima (8.2.2)",
    start: [2.3, 1.8],
    view: { x: [-3, 3], y: [-3, 3] },
    minimum: [0, 0],
    problem: (p) =>
      surfaceProblem("rastrigin", [2.3, 1.8], p, { half: 0.5, amp: 2, twoPi: 2 * Math.PI }, (x, y, c) => {
        const ripple = np
          .cos(x.ref.mul(c.twoPi))
          .add(np.cos(y.ref.mul(c.twoPi)))
          .neg()
          .add(2)
          .mul(c.amp);
        return sq(x).add(sq(y)).mul(c.half).add(ripple);
      }),
  },
  coupled: {
    name: "coupled",
    description: "(x1 − x2)² + α(x1² + x2²), α = 0.1: coordinate descent's slow case (8.7.2)",
    start: [1.5, -0.5],
    view: { x: [-2, 2], y: [-2, 2] },
    minimum: [0, 0],
    problem: (p) =>
      surfaceProblem("coupled", [1.5, -0.5], p, { alpha: 0.1 }, (x, y, c) =>
        sq(x.ref.sub(y.ref)).add(sq(x).add(sq(y)).mul(c.alpha)),
      ),
  },
  mountain: {
    name: "mountain",
    description:
      "a bowl 0.05((x − 3)² + y²) with a mountain 2·exp(−(x² + y²)) between the start and the minimum: the local " +
      "gradient points around it (8.2.7)",
    start: [-3, 0.3],
    // The minimum is near (3, 0), moved by 1e-3 by the mountain's tail: no exact cross to draw.
    view: { x: [-4, 5], y: [-3, 3] },
    problem: (p) =>
      surfaceProblem("mountain", [-3, 0.3], p, { bowl: 0.05, height: 2, three: 3 }, (x, y, c) => {
        const bump = np.exp(sq(x.ref).add(sq(y.ref)).neg()).mul(c.height);
        return sq(x.sub(c.three)).add(sq(y)).mul(c.bowl).add(bump);
      }),
  },
};

export function surfaceByName(name: string): Surface {
  const surface = SURFACES[name];
  if (!surface) throw new Error(`unknown surface "${name}" (available: ${Object.keys(SURFACES).join(", ")})`);
  return surface;
}
