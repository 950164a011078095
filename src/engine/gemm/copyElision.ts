/**
 * Removes identity copies from a jit program: a kernel whose output is its one input's first
 * `size` elements in order (jax-js materialises reshapes such as x[:, None, :] and plain copies of
 * its inputs this way) is dropped, and the later steps read its input instead. The bytes they read
 * are the same, so results are bit-identical; the input's free moves after the copy's last reader.
 */
import type { KernelLike, MatchTools, ViewLike } from "./match.js";
import { dropCopies, readsBuffer as reads, type Step, withoutCopy, writesBuffer as writes } from "./jitSteps.js";

/** Whether `kernel` is out[i] = arg0[i] for i < size (a contiguous view of arg0 from offset 0, no cast). */
export function isIdentityCopy(kernel: KernelLike, tools: MatchTools): boolean {
  const exp = kernel.exp;
  if (kernel.reduction || kernel.nargs !== 1 || exp?.op !== "GlobalView") return false;
  const [gid, tracker] = exp.arg as [number, { views: ViewLike[] }];
  if (gid !== 0 || tracker.views.length !== 1) return false;
  const { shape, strides, offset, mask } = tracker.views[0];
  if (mask !== null || offset !== 0 || shape.reduce((a, b) => a * b, 1) !== kernel.size) return false;
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    if (shape[axis] !== 1 && strides[axis] !== stride) return false;
    stride *= shape[axis];
  }
  return tools.deepEqual(exp.src, tools.unravel(shape, tools.gidx));
}

/** `steps` without their identity copies, and how many were removed; null when there is none. */
export function elideIdentityCopies(
  steps: Step[],
  programOutputs: number[],
  tools: MatchTools,
): { steps: Step[]; removed: number } | null {
  return dropCopies(steps, (out, _, copy, a, o) => {
    if (!isIdentityCopy(copy.source as KernelLike, tools)) return null;
    if (
      programOutputs.includes(o) ||
      out.some((s) => (s.type === "incref" && s.input === o) || (s !== copy && writes(s, o)))
    )
      return null;
    // Later steps read a where they read o.
    return withoutCopy(out, copy, a, o, (s) =>
      reads(s, o) && s.type === "execute" ? { ...s, inputs: s.inputs.map((id) => (id === o ? a : id)) } : s,
    );
  });
}
