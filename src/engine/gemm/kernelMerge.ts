/**
 * Merges sibling elementwise kernels of a jit program into one multi-output kernel. jax-js writes one
 * output per kernel, so Adam's update is three passes over memory: m' = β₁m + (1−β₁)g and
 * v' = β₂v + (1−β₂)g² each read g, and θ' reads m' and v' back (10 float accesses per parameter
 * instead of 7). When an elementwise kernel F reads, element for element, the outputs of earlier
 * elementwise kernels P of the same size (and nothing between them reads those outputs), the group
 * becomes one kernel (elementwiseWasm.ts) that computes each P's value, stores it, and hands it to F
 * in a register. Same operations in the same order: bit-identical. Only trees of add, sub, mul,
 * reciprocal, sqrt, min, max (and float32 exp) over contiguous or broadcast-scalar reads are merged.
 * A float32 kernel with exp that merges with nothing is generated alone too: jax-js runs exp one
 * lane at a time, ours runs jax-js's same exp algorithm four lanes at once (elementwiseWasm.ts).
 */
import { type ElementDtype, type Expr, elementwiseModuleBytes } from "./elementwiseWasm.js";
import type { Step } from "./jitSteps.js";
import type { AluNode, KernelLike, MatchTools, ViewLike } from "./match.js";

type Execute = Extract<Step, { type: "execute" }>;

export interface MergeTools extends MatchTools {
  makeKernel(nargs: number, size: number, exp: AluNode, reduction: unknown): unknown;
  compile(bytes: Uint8Array<ArrayBuffer>): WebAssembly.Module;
  /** Merge sibling kernels (false: only the exp kernels below). */
  merge: boolean;
  /** Also generate float32 kernels with exp (jax-js runs them one lane at a time), alone or merged. */
  exp: boolean;
}

/** What the hook hands jax-js for a merged kernel (the same fields as threads/jobs.ts's Program). */
export type MergedProgram = {
  kernelHash: string;
  module: WebAssembly.Module;
  workSize: number;
  chunkAlignment: number;
  /** Buffers the kernel is called with: its inputs, then its outputs. */
  pointers: number;
  /** The work of one item for the thread pool's threshold (threads/jobs.ts), when not 1. */
  itemWork?: number;
};

/** The programs of the merged kernels this module made (the hook prepares these kernels from here). */
const programs = new WeakMap<object, MergedProgram>();
export const mergedProgramOf = (kernel: unknown): MergedProgram | undefined =>
  typeof kernel === "object" && kernel !== null ? programs.get(kernel) : undefined;
/** Hands out `program` for `source`, a kernel another rewrite made (maxPoolRewrite.ts). */
export const registerMergedProgram = (source: object, program: MergedProgram): void => {
  programs.set(source, program);
};

/** A read of one input buffer, as Expr leaves: contiguous at i, or one element for all i. */
type Read = { kind: "load" } | { kind: "splat"; element: number };

function classifyRead(exp: AluNode, size: number, tools: MergeTools): Read | null {
  const tracker = (exp.arg as [number, { views: ViewLike[] }])[1];
  if (tracker.views.length !== 1) return null;
  const { shape, strides, offset, mask } = tracker.views[0];
  if (mask !== null || shape.reduce((a, b) => a * b, 1) !== size) return null;
  if (!tools.deepEqual(exp.src, tools.unravel(shape, tools.gidx))) return null;
  if (shape.every((n, axis) => n === 1 || strides[axis] === 0)) return { kind: "splat", element: offset };
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    if (shape[axis] !== 1 && strides[axis] !== stride) return null;
    stride *= shape[axis];
  }
  return offset === 0 ? { kind: "load" } : null;
}

const BINARY: Record<string, "add" | "sub" | "mul" | "min" | "max"> = {
  Add: "add",
  Sub: "sub",
  Mul: "mul",
  Min: "min",
  Max: "max",
};

/**
 * `kernel`'s expression as an Expr over buffer ids (`leaf` maps each read), or null when it uses
 * anything else (another op or dtype, a reduction, a masked or strided view).
 */
function toExpr(
  kernel: KernelLike,
  inputs: number[],
  tools: MergeTools,
  leaf: (id: number, read: Read) => Expr | null,
) {
  if (kernel.reduction) return null;
  const dtype = kernel.exp.dtype;
  if (dtype !== "float32" && dtype !== "float64") return null;
  let usesExp = false;
  const walk = (e: AluNode): Expr | null => {
    if (e.dtype !== dtype) return null;
    if (e.op === "Const") return typeof e.arg === "number" ? { op: "const", value: e.arg } : null;
    if (e.op === "GlobalView") {
      const read = classifyRead(e, kernel.size, tools);
      const id = inputs[(e.arg as [number])[0]];
      return read && id !== undefined ? leaf(id, read) : null;
    }
    const src = e.src.map(walk);
    if (src.some((s) => s === null)) return null;
    const [a, b] = src as Expr[];
    if (e.op in BINARY && src.length === 2) return { op: BINARY[e.op], src: [a, b] };
    if (e.op === "Sqrt" && src.length === 1) return { op: "sqrt", src: [a] };
    if (e.op === "Reciprocal" && src.length === 1) return { op: "div", src: [{ op: "const", value: 1 }, a] };
    if (e.op === "Exp" && src.length === 1 && dtype === "float32" && tools.exp) {
      usesExp = true;
      return { op: "exp", src: [a] };
    }
    return null;
  };
  const expr = walk(kernel.exp);
  return expr ? { expr, dtype: dtype as ElementDtype, usesExp } : null;
}

/** A one-output jax-js kernel without reduction (not one this module made). */
const isElementwise = (s: Step): s is Execute =>
  s.type === "execute" &&
  s.outputs.length === 1 &&
  typeof s.source === "object" &&
  s.source !== null &&
  "exp" in s.source &&
  !(s.source as KernelLike).reduction &&
  !programs.has(s.source);

/** Whether every read of `id` in `kernel` is a contiguous read at i (so a register can serve it). */
function readsOnlyElementwise(kernel: KernelLike, inputs: number[], id: number, tools: MergeTools): boolean {
  let ok = true;
  const walk = (e: AluNode) => {
    if (e.op === "GlobalView" && inputs[(e.arg as [number])[0]] === id)
      ok &&= classifyRead(e, kernel.size, tools)?.kind === "load";
    e.src.forEach(walk);
  };
  walk(kernel.exp);
  return ok;
}

/**
 * `steps` with each mergeable group as one kernel, and each remaining float32 exp kernel as one of
 * ours; how many kernels were merged away and how many exp kernels were vectorised; null when none.
 */
export function mergeElementwiseKernels(
  steps: Step[],
  tools: MergeTools,
): { steps: Step[]; merged: number; expKernels: number } | null {
  let out = steps;
  let [merged, expKernels] = [0, 0];
  for (let f = 0; f < out.length && tools.merge; f++) {
    const group = mergeGroup(out, f, tools);
    if (!group) continue;
    out = applyGroup(out, group, tools);
    merged += group.length - 1;
    f -= group.length - 1;
  }
  for (let f = 0; f < out.length; f++) {
    const step = out[f];
    if (!isElementwise(step)) continue;
    const alone = toExpr(step.source as KernelLike, step.inputs, tools, () => ({ op: "const", value: 0 }));
    if (!alone?.usesExp) continue;
    out = applyGroup(out, [f], tools);
    expKernels++;
  }
  return merged + expKernels ? { steps: out, merged, expKernels } : null;
}

/** Indices (ascending, ending with f) of the producers F = steps[f] can absorb, or null. */
function mergeGroup(steps: Step[], f: number, tools: MergeTools): number[] | null {
  const F = steps[f];
  if (!isElementwise(F)) return null;
  const kernel = F.source as KernelLike;
  const own = toExpr(kernel, F.inputs, tools, () => ({ op: "const", value: 0 }));
  if (!own) return null;
  const group: number[] = [];
  for (const id of new Set(F.inputs)) {
    const p = steps.findIndex((s) => s.type === "execute" && s.outputs.includes(id));
    if (p < 0 || p > f) continue;
    const P = steps[p];
    if (!isElementwise(P) || (P.source as KernelLike).size !== kernel.size) continue;
    const theirs = toExpr(P.source as KernelLike, P.inputs, tools, () => ({ op: "const", value: 0 }));
    if (!theirs || theirs.dtype !== own.dtype || !readsOnlyElementwise(kernel, F.inputs, id, tools)) continue;
    // No other step may read the value before the merged kernel writes it at F's place.
    if (steps.slice(p + 1, f).some((s) => s.type === "execute" && s.inputs.includes(id))) continue;
    group.push(p);
  }
  if (!group.length) return null;
  // Producers read program inputs or earlier buffers only, never each other's outputs.
  const outputs = new Set(group.map((p) => (steps[p] as Execute).outputs[0]));
  if (group.some((p) => (steps[p] as Execute).inputs.some((id) => outputs.has(id)))) return null;
  return [...group.sort((a, b) => a - b), f];
}

function applyGroup(steps: Step[], group: number[], tools: MergeTools): Step[] {
  const members = group.map((i) => steps[i] as Execute);
  const outputIds = members.map((m) => m.outputs[0]);
  const inputIds = [...new Set(members.flatMap((m) => m.inputs))].filter((id) => !outputIds.includes(id));
  const exprs = members.map((m, k) => {
    const leaf = (id: number, read: Read): Expr => {
      const produced = outputIds.indexOf(id);
      if (produced >= 0 && produced < k) return { op: "output", index: produced };
      const arg = inputIds.indexOf(id);
      return read.kind === "load" ? { op: "load", arg } : { op: "splat", arg, element: read.element };
    };
    return toExpr(m.source as KernelLike, m.inputs, tools, leaf) as { expr: Expr; dtype: ElementDtype };
  });
  const last = members[members.length - 1].source as KernelLike;
  const module = tools.compile(
    elementwiseModuleBytes(
      exprs[0].dtype,
      inputIds.length,
      exprs.map((e) => e.expr),
    ),
  );
  const source = tools.makeKernel(inputIds.length, last.size, last.exp, undefined) as object;
  programs.set(source, {
    kernelHash: `descent-merged:${outputIds.length}:${last.size}`,
    module,
    workSize: last.size,
    chunkAlignment: 4,
    pointers: inputIds.length + outputIds.length,
  });
  const merged: Step = { type: "execute", source, inputs: inputIds, outputs: outputIds };
  const [first, at] = [group[0], group[group.length - 1]];
  // Inputs freed before the merged kernel runs are freed right after it instead.
  const late = (s: Step) => s.type === "free" && inputIds.includes(s.input);
  const result: Step[] = [];
  steps.forEach((s, i) => {
    if (i === at) result.push(merged, ...steps.slice(first, at).filter(late));
    else if (!group.includes(i) && !(i > first && i < at && late(s))) result.push(s);
  });
  return result;
}
