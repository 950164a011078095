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

/**
 * `steps` without `copy` (which wrote buffer `o` from buffer `a`) and without `o`'s malloc and free, each
 * other step passed through `rewrite`; `a`'s free, if it is freed here at all, moves after its last reader.
 */
export function withoutCopy(steps: Step[], copy: Step, a: number, o: number, rewrite: (s: Step) => Step): Step[] {
  let next = steps
    .filter((s) => s !== copy && !(s.type === "malloc" && s.output === o) && !(s.type === "free" && s.input === o))
    .map(rewrite);
  const freeA = next.findIndex((s) => s.type === "free" && s.input === a);
  if (freeA >= 0) {
    next = next.filter((_, j) => j !== freeA);
    let last = next.length - 1;
    while (last >= 0 && !readsBuffer(next[last], a) && !writesBuffer(next[last], a)) last--;
    next.splice(last + 1, 0, { type: "free", input: a });
  }
  return next;
}

type CopyStep = Extract<Step, { type: "execute" }>;

/**
 * Offers each kernel step with one input `a` and one output `o` (a copy, maybe) to `drop`, which returns the
 * steps without it or null to keep it, until none is dropped: the steps and how many went; null if none.
 */
export function dropCopies(
  steps: Step[],
  drop: (steps: Step[], index: number, copy: CopyStep, a: number, o: number) => Step[] | null,
): { steps: Step[]; removed: number } | null {
  let out = steps;
  let removed = 0;
  for (let i = 0; i < out.length; i++) {
    const copy = out[i];
    if (copy.type !== "execute" || copy.inputs.length !== 1 || copy.outputs.length !== 1) continue;
    const next = drop(out, i, copy, copy.inputs[0], copy.outputs[0]);
    if (!next) continue;
    out = next;
    removed++;
    i--; // the step now at i is new
  }
  return removed ? { steps: out, removed } : null;
}
