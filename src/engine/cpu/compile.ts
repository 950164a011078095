/**
 * Compiles a jax-js kernel for the `cpu` device into one JavaScript function, with exactly the
 * semantics of jax-js 0.1.25's interpreter (`AluExp.evaluate`, `Reduction.evaluate`, CpuBackend's
 * dispatch loop): the same JS operations in the same order, so results are bit-identical, only
 * without walking the expression tree for every element. Rare ops (Erf, Threefry, Bitcast, …) call
 * their node's own `evaluate`, so they are covered without a second implementation.
 */

/** The parts of a jax-js AluExp node the compiler reads (jax-js ships no types for them). */
export interface CpuAluNode {
  op: string;
  dtype: string;
  src: CpuAluNode[];
  arg: unknown;
  evaluate(context: Record<string, number>, globals: (gid: number, index: number) => number): number;
}

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

  private node(n: CpuAluNode): string {
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
        return `(${this.node(a)} ? ${this.node(b)} : ${this.node(n.src[2])})`;
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
        return `L${gid}(${this.node(a)})`;
      }
      default:
        return MATH_UNARY[n.op] ? `${MATH_UNARY[n.op]}(${this.node(a)})` : this.fallback(n);
    }
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
    emit.bound = new Set(kernel.reduction ? ["gidx", "ridx"] : ["gidx"]);
    const item = emit.expr(kernel.exp);
    emit.bound = new Set(["gidx", "acc"]);
    const epilogue = kernel.reduction ? emit.expr(kernel.reduction.epilogue) : "";
    const gids = [...emit.inputs.keys()];
    const lines = [
      "return function kernel(inputs, out) {",
      // The interpreter's globals(): the same bounds check and message for every buffer read.
      ...gids.map((g) => `const a${g} = inputs[${g}];`),
      ...gids.map(
        (g) =>
          `const L${g} = (i) => { if (i < 0 || i >= a${g}.length) throw new Error("bufidx out of bounds: " + i); return a${g}[i]; };`,
      ),
      "const G = (gid, i) => { const a = inputs[gid]; if (!a) throw new Error('gid out of bounds: ' + gid);",
      "  if (i < 0 || i >= a.length) throw new Error('bufidx out of bounds: ' + i); return a[i]; };",
      "let ridx, acc;",
    ];
    if (!kernel.reduction) {
      lines.push(`for (let gidx = 0; gidx < ${kernel.size}; gidx++) out[gidx] = ${item};`);
    } else {
      const r = kernel.reduction;
      lines.push(
        `for (let gidx = 0; gidx < ${kernel.size}; gidx++) {`,
        `  acc = ${literal(r.identity)};`,
        `  for (ridx = 0; ridx < ${r.size}; ridx++) { const item = ${item}; acc = ${combine(r.op, r.dtype)}; }`,
        `  ridx = undefined;`,
        `  out[gidx] = ${epilogue};`,
        "}",
      );
    }
    lines.push("};");
    const factory = new Function("F", "clamp", lines.join("\n"));
    const run = factory(emit.fallbacks, clamp) as CompiledKernel;
    return Object.assign(run, { inputDtypes: emit.inputs });
  } catch {
    return undefined;
  }
}

/** jax-js's clamp. */
const clamp = (x: number, min: number, max: number) => Math.max(min, Math.min(max, x));

/** The dtype each input buffer is read as, by gid (attached to every compiled kernel). */
export const inputDtypesOf = (run: CompiledKernel): Map<number, string> =>
  (run as CompiledKernel & { inputDtypes: Map<number, string> }).inputDtypes;
