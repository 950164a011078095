/**
 * Compiles a jax-js kernel for the `cpu` device into one JavaScript function, with exactly the
 * semantics of jax-js 0.1.25's interpreter (`AluExp.evaluate`, `Reduction.evaluate`, CpuBackend's
 * dispatch loop): the same JS operations in the same order, so results are bit-identical, only
 * without walking the expression tree for every element. Rare ops (Erf, Threefry, Bitcast, …) call
 * their node's own `evaluate`, so they are covered without a second implementation.
 */

import type { CpuAluNode } from "./aluNode.js";
import { indexRange, type Range } from "./ranges.js";

export type { CpuAluNode };

/** A kernel after jax-js's `tuneNullopt`: the element (or reduction item) expression and the epilogue. */
export interface TunedKernel {
  size: number;
  /** Output dtype. */
  dtype: string;
  exp: CpuAluNode;
  reduction?: { op: string; dtype: string; size: number; identity: number; epilogue: CpuAluNode };
}

/** Runs a compiled kernel: typed views of the inputs (null where unused) and of the output. */
export type CompiledKernel = (inputs: (ArrayLike<number> | null)[], output: { [i: number]: number }) => void;

/** Generated code larger than this falls back to the interpreter (a tree shared many times expands). */
const MAX_SOURCE_CHARS = 200_000;

const [GIDX, RIDX, OTHER] = [1, 2, 4];
/** Leaves: hoisting them gains nothing. */
const TRIVIAL = new Set(["Const", "Special", "Variable", "GlobalIndex"]);
/** Ops compiled inline (the rest call their node's evaluate). */
const INLINE_OPS = new Set([
  "Add",
  "Sub",
  "Mul",
  "Idiv",
  "Mod",
  "Min",
  "Max",
  "Cmplt",
  "Cmpne",
  "Reciprocal",
  "Cast",
  "Where",
  "Pow",
]);

/** Hoisted code of one reduction item: lines per place, and the name each hoisted node got. */
interface Hoist {
  items: number;
  worth: Record<"once" | "perOutput" | "perItem", boolean>;
  once: string[];
  perOutput: string[];
  perItem: string[];
  declared: string[];
  names: Map<CpuAluNode, string>;
  deps: Map<CpuAluNode, number>;
}

const FLOAT_DTYPES = new Set(["float16", "float32", "float64"]);
const MATH_UNARY: Record<string, string> = {
  Sin: "Math.sin",
  Cos: "Math.cos",
  Asin: "Math.asin",
  Atan: "Math.atan",
  Exp: "Math.exp",
  Log: "Math.log",
  Sqrt: "Math.sqrt",
  Floor: "Math.floor",
  Ceil: "Math.ceil",
  // Never in jax-js's kernels: made by the exact float64 path's rewrites (engine/f64/rewrite.ts).
  Expm1: "Math.expm1",
  Log1p: "Math.log1p",
};

/** A JS literal that reads back as exactly this number (-0, NaN and the infinities included). */
function literal(value: number): string {
  if (Object.is(value, -0)) return "(-0)";
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "Infinity";
  if (value === -Infinity) return "(-Infinity)";
  return `(${String(value)})`;
}

class Emitter {
  /** The variables bound where the current expression runs (the interpreter's context keys). */
  bound = new Set<string>();
  /** Nodes handed to their own evaluate(), referenced as F[i] by the generated code. */
  readonly fallbacks: CpuAluNode[] = [];
  /** Input buffers read by the code, with their dtypes. */
  readonly inputs = new Map<number, string>();
  /** Loop-invariant parts of a reduction's item, when hoisting is on (see hoisted()). */
  hoist?: Hoist;
  /** The loop ranges, when reads with a provable index range go unchecked (see compileCpuKernel). */
  loops?: Record<string, Range>;
  /** The largest index each unchecked buffer is read at. */
  readonly unchecked = new Map<number, number>();
  private conditional = false;
  private chars = 0;

  expr(node: CpuAluNode): string {
    const code = this.node(node);
    this.chars += code.length;
    if (this.chars > MAX_SOURCE_CHARS) throw new Error("kernel too large to compile");
    return code;
  }

  private fallback(node: CpuAluNode): string {
    this.fallbacks.push(node);
    this.collectInputs(node);
    return `F[${this.fallbacks.length - 1}].evaluate({ ${[...this.bound].join(", ")} }, G)`;
  }

  /** A fallback node reads buffers through G; they must be viewed with the right dtype. */
  private collectInputs(node: CpuAluNode): void {
    if (node.op === "GlobalIndex") this.input(node);
    for (const s of node.src) this.collectInputs(s);
  }

  private input(node: CpuAluNode): number {
    const gid = (node.arg as [number])[0];
    const known = this.inputs.get(gid);
    if (known !== undefined && known !== node.dtype) throw new Error("buffer read with two dtypes");
    this.inputs.set(gid, node.dtype);
    return gid;
  }

  /** Checked at every node: a tree that shares subtrees many times expands exponentially as text. */
  private node(n: CpuAluNode): string {
    const code = this.inline(n);
    if (code.length > MAX_SOURCE_CHARS) throw new Error("kernel too large to compile");
    return code;
  }

  private inline(n: CpuAluNode): string {
    const lifted = this.hoist && !this.conditional ? this.hoisted(n) : undefined;
    if (lifted) return lifted;
    const [a, b] = n.src;
    switch (n.op) {
      case "Add":
        return n.dtype === "bool"
          ? `Number(${this.node(a)} || ${this.node(b)})`
          : `(${this.node(a)} + ${this.node(b)})`;
      case "Sub":
        return `(${this.node(a)} - ${this.node(b)})`;
      case "Mul":
        return n.dtype === "bool"
          ? `Number(${this.node(a)} && ${this.node(b)})`
          : `(${this.node(a)} * ${this.node(b)})`;
      case "Idiv":
        return `Math.trunc(${this.node(a)} / ${this.node(b)})`;
      case "Mod":
        return `(${this.node(a)} % ${this.node(b)})`;
      case "Min":
        return `Math.min(${this.node(a)}, ${this.node(b)})`;
      case "Max":
        return `Math.max(${this.node(a)}, ${this.node(b)})`;
      case "Cmplt":
        return `Number(${this.node(a)} < ${this.node(b)})`;
      case "Cmpne":
        return `Number(${this.node(a)} != ${this.node(b)})`;
      case "Reciprocal":
        return `(1 / ${this.node(a)})`;
      case "Cast":
        return this.cast(n);
      case "Where":
        return `(${this.node(a)} ? ${this.branch(b)} : ${this.branch(n.src[2])})`;
      case "Pow":
        return `pow(${this.node(a)}, ${this.node(b)})`;
      case "Const":
        return typeof n.arg === "number" ? literal(n.arg) : this.fallback(n);
      case "Special":
      case "Variable": {
        const name = n.op === "Special" ? (n.arg as [string])[0] : (n.arg as string);
        // Unbound here: the interpreter would throw, so leave the kernel to it.
        if (!this.bound.has(name)) throw new Error(`unbound variable ${name}`);
        return name;
      }
      case "GlobalIndex": {
        const gid = this.input(n);
        const range = this.loops && indexRange(a, this.loops);
        if (!range || range[0] < 0) return `L${gid}(${this.node(a)})`;
        this.unchecked.set(gid, Math.max(range[1], this.unchecked.get(gid) ?? -1));
        return `a${gid}[${this.node(a)}]`;
      }
      default:
        return MATH_UNARY[n.op] ? `${MATH_UNARY[n.op]}(${this.node(a)})` : this.fallback(n);
    }
  }

  /** A Where branch runs for some elements only: nothing in it is hoisted (a hoisted read could throw). */
  private branch(n: CpuAluNode): string {
    const was = this.conditional;
    this.conditional = true;
    try {
      return this.node(n);
    } finally {
      this.conditional = was;
    }
  }

  /**
   * Loop-invariant code motion for a reduction's item, which jax-js's fusion recomputes for every
   * (gidx, ridx): a subtree that reads only ridx is computed once per ridx into an array before
   * the loops, one that reads only gidx once per output element, one that reads neither once.
   * Every value is the same IEEE operation on the same operands, so results stay bit-identical.
   */
  private hoisted(n: CpuAluNode): string | undefined {
    const h = this.hoist as Hoist;
    // Index arithmetic is cheaper to redo than to load from a hoisted array.
    if (TRIVIAL.has(n.op) || !FLOAT_DTYPES.has(n.dtype)) return undefined;
    const known = h.names.get(n);
    if (known) return known;
    const deps = this.deps(n);
    const where = deps === 0 ? "once" : deps === GIDX ? "perOutput" : deps === RIDX ? "perItem" : undefined;
    if (!where || !h.worth[where]) return undefined;
    this.hoist = undefined;
    const code = this.node(n);
    this.hoist = h;
    const name = `${where === "once" ? "K" : where === "perOutput" ? "P" : "H"}${h.names.size}`;
    h.names.set(n, where === "perItem" ? `${name}[ridx]` : name);
    h[where].push(where === "perItem" ? `${name}[ridx] = ${code};` : `${name} = ${code};`);
    h.declared.push(where === "perItem" ? `const ${name} = new Float64Array(${h.items});` : `let ${name};`);
    return h.names.get(n);
  }

  /** Which loop variables a subtree reads (GIDX | RIDX | OTHER), memoized per node. */
  private deps(n: CpuAluNode): number {
    const h = this.hoist as Hoist;
    let d = h.deps.get(n);
    if (d !== undefined) return d;
    if (n.op === "Special" || n.op === "Variable") {
      const name = n.op === "Special" ? (n.arg as [string])[0] : (n.arg as string);
      d = name === "gidx" ? GIDX : name === "ridx" ? RIDX : OTHER;
    } else if (n.op === "Const" || n.op === "GlobalIndex" || MATH_UNARY[n.op] || INLINE_OPS.has(n.op)) {
      d = n.src.reduce((m, s) => m | this.deps(s), 0);
    } else d = OTHER; // fallback nodes stay where they are
    h.deps.set(n, d);
    return d;
  }

  /** AluExp.evaluate's Cast: clamp-and-truncate to integers, identity between floats, truthiness to bool. */
  private cast(n: CpuAluNode): string {
    const x = this.node(n.src[0]);
    const wasFloat = FLOAT_DTYPES.has(n.src[0].dtype);
    if (n.dtype === "int32") return wasFloat ? `(clamp(${x}, -2147483648, 2147483647) | 0)` : `(${x} | 0)`;
    if (n.dtype === "uint32") return wasFloat ? `(clamp(${x}, 0, 4294967295) >>> 0)` : `(${x} >>> 0)`;
    if (FLOAT_DTYPES.has(n.dtype)) return x;
    if (n.dtype === "bool") return `Number(Boolean(${x}))`;
    return this.fallback(n);
  }
}

/** Reduction.evaluate(acc, item): a reduce over [acc, item] from the identity, as jax-js writes it. */
function combine(op: string, dtype: string): string {
  const fold = (f: (p: string, q: string) => string, start: string) => f(f(start, "acc"), "item");
  if (dtype === "bool") {
    if (op === "Add" || op === "Max") return fold((p, q) => `(${p} || ${q})`, "false");
    if (op === "Mul" || op === "Min") return fold((p, q) => `(${p} && ${q})`, "true");
  } else if (dtype === "int32" || dtype === "uint32") {
    const wrap = dtype === "int32" ? "| 0" : ">>> 0";
    if (op === "Add") return fold((p, q) => `(${p} + ${q} ${wrap})`, "0");
    if (op === "Mul") return fold((p, q) => `(${p} * ${q} ${wrap})`, "1");
    const start =
      dtype === "int32" ? (op === "Min" ? "2147483647" : "(-2147483648)") : op === "Min" ? "4294967295" : "0";
    if (op === "Min") return fold((p, q) => `Math.min(${p}, ${q})`, start);
    if (op === "Max") return fold((p, q) => `Math.max(${p}, ${q})`, start);
  } else if (FLOAT_DTYPES.has(dtype)) {
    if (op === "Add") return fold((p, q) => `(${p} + ${q})`, "0");
    if (op === "Mul") return fold((p, q) => `(${p} * ${q})`, "1");
    if (op === "Min") return fold((p, q) => `Math.min(${p}, ${q})`, "Infinity");
    if (op === "Max") return fold((p, q) => `Math.max(${p}, ${q})`, "(-Infinity)");
  }
  throw new Error(`unsupported reduction ${op} ${dtype}`);
}

/**
 * Compiles a tuned kernel, or returns undefined when it holds something this compiler does not
 * cover (the caller then runs jax-js's interpreter).
 */
export function compileCpuKernel(kernel: TunedKernel): CompiledKernel | undefined {
  try {
    const emit = new Emitter();
    const checked = loops(emit, kernel, undefined);
    // A second copy reads without bounds checks where the index range is provably inside the
    // buffer; the kernel picks it when every such buffer is long enough (checked once per call).
    const r = kernel.reduction;
    const ranges: Record<string, Range> = { gidx: [0, kernel.size - 1], ridx: [0, (r?.size ?? 1) - 1] };
    const fast = kernel.size > 0 ? loops(emit, kernel, ranges) : undefined;
    const gids = [...emit.inputs.keys()];
    const safe = [...emit.unchecked].map(([g, hi]) => `${hi} < a${g}.length`).join(" && ");
    const lines = [
      "return function kernel(inputs, out) {",
      ...gids.map((g) => `const a${g} = inputs[${g}];`),
      // The interpreter's globals(): the same bounds check and message for every buffer read.
      ...gids.map(
        (g) =>
          `const L${g} = (i) => { if (i < 0 || i >= a${g}.length) throw new Error("bufidx out of bounds: " + i); ` +
          `return a${g}[i]; };`,
      ),
      "const G = (gid, i) => { const a = inputs[gid]; if (!a) throw new Error('gid out of bounds: ' + gid);",
      "  if (i < 0 || i >= a.length) throw new Error('bufidx out of bounds: ' + i); return a[i]; };",
      ...(fast && safe ? [`if (${safe}) {`, ...fast, "} else {", ...checked, "}"] : checked),
      "};",
    ];
    const factory = new Function("F", "clamp", "pow", lines.join("\n"));
    const run = factory(emit.fallbacks, clamp, pow) as CompiledKernel;
    return Object.assign(run, { inputDtypes: emit.inputs });
  } catch {
    return undefined;
  }
}

/** The kernel's loops (with hoisted invariants), reading unchecked where `ranges` proves an index safe. */
function loops(emit: Emitter, kernel: TunedKernel, ranges: Record<string, Range> | undefined): string[] {
  emit.loops = ranges;
  const r = kernel.reduction;
  emit.bound = new Set(r ? ["gidx", "ridx"] : ["gidx"]);
  // Hoisted code runs only where the interpreter would have evaluated it at least once.
  const hoist: Hoist | undefined =
    r && kernel.size > 0 && r.size > 0
      ? {
          items: r.size,
          worth: { once: true, perOutput: r.size > 1, perItem: kernel.size > 1 },
          once: [],
          perOutput: [],
          perItem: [],
          declared: [],
          names: new Map(),
          deps: new Map(),
        }
      : undefined;
  emit.hoist = hoist;
  const item = emit.expr(kernel.exp);
  emit.hoist = undefined;
  emit.bound = new Set(["gidx", "acc"]);
  const epilogue = r ? emit.expr(r.epilogue) : "";
  if (!r) return [`for (let gidx = 0; gidx < ${kernel.size}; gidx++) out[gidx] = ${item};`];
  const lines: string[] = [];
  if (hoist) {
    lines.push(...hoist.declared, ...hoist.once);
    if (hoist.perItem.length) lines.push(`for (let ridx = 0; ridx < ${r.size}; ridx++) { ${hoist.perItem.join(" ")} }`);
  }
  lines.push(
    `for (let gidx = 0; gidx < ${kernel.size}; gidx++) {`,
    ...(hoist?.perOutput ?? []),
    `  let acc = ${literal(r.identity)};`,
    `  for (let ridx = 0; ridx < ${r.size}; ridx++) { const item = ${item}; acc = ${combine(r.op, r.dtype)}; }`,
    `  out[gidx] = ${epilogue};`,
    "}",
  );
  return lines;
}

/** exp(log(a)·b) for a ≥ 0 (log(-0) is log(+0)), NaN below: the Pow node of engine/f64/rewrite.ts. */
const pow = (a: number, b: number) => (a >= 0 ? (a + 0) ** b : Number.NaN);

/** jax-js's clamp. */
const clamp = (x: number, min: number, max: number) => Math.max(min, Math.min(max, x));

/** The dtype each input buffer is read as, by gid (attached to every compiled kernel). */
export const inputDtypesOf = (run: CompiledKernel): Map<number, string> =>
  (run as CompiledKernel & { inputDtypes: Map<number, string> }).inputDtypes;
