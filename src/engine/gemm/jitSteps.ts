/** The steps of a jax-js 0.1.25 jit program (its src/frontend/jit.ts): what the program rewrites
 * (transposeFusion.ts, copyElision.ts, copyFolding.ts, kernelMerge.ts) rewrite. */
export type Step =
  | { type: "execute"; source: unknown; inputs: number[]; outputs: number[] }
  | { type: "malloc"; size: number; output: number }
  | { type: "incref" | "free"; input: number };

/** Whether `step` is a kernel or routine reading buffer `id`. */
export const readsBuffer = (step: Step, id: number): boolean => step.type === "execute" && step.inputs.includes(id);

/** Whether `step` is a kernel or routine writing buffer `id`. */
export const writesBuffer = (step: Step, id: number): boolean => step.type === "execute" && step.outputs.includes(id);
