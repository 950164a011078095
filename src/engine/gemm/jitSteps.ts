/** The steps of a jax-js 0.1.25 jit program (its src/frontend/jit.ts): what transposeFusion.ts and
 * copyElision.ts rewrite. */
export type Step =
  | { type: "execute"; source: unknown; inputs: number[]; outputs: number[] }
  | { type: "malloc"; size: number; output: number }
  | { type: "incref" | "free"; input: number };
