/**
 * Which float64 Wasm kernels leave jax-js's code, and the accuracy rewrites applied to them.
 *
 * jax-js 0.1.25's Wasm code generator computes Sin, Cos, Asin, Atan, Exp, Log, Erf and Erfc in
 * float32 even for float64 data (docs/precision.md). A float64 kernel holding one of them runs as
 * compiled JavaScript instead, where they are V8's Math functions (fdlibm, within 1 ulp). Three
 * rewrites then remove the cancellation that jax-js's own formulas build around them:
 * `exp(a) - 1` → `expm1(a)` (tanh, expm1), `log(a + 1)` → `log1p(a)` (log1p, softplus) and
 * `exp(log(a) · b)` → `a ** b` (power), each closer to the exact value than the expression it replaces.
 */
import type { CpuAluNode } from "../cpu/aluNode.js";

/** The ops jax-js's Wasm backend evaluates through float32 (its wasm_* helpers). */
export const APPROXIMATED_OPS = new Set(["Sin", "Cos", "Asin", "Atan", "Exp", "Log", "Erf", "Erfc"]);
const NARROW_DTYPES = new Set(["float32", "float16"]);

/**
 * True when a float64 kernel needs the exact path: it computes an approximated op in float64, and
 * every float32/float16 node in it gives the same value in JavaScript's doubles as in Wasm's
 * float32 (see exactInDoubles).
 */
export function needsExactPath(roots: (CpuAluNode | undefined)[]): boolean {
  let approximated = false;
  let narrowArithmetic = false;
  const seen = new Set<CpuAluNode>();
  const visit = (n: CpuAluNode) => {
    if (seen.has(n)) return;
    seen.add(n);
    if (APPROXIMATED_OPS.has(n.op) && n.dtype === "float64") approximated = true;
    if (NARROW_DTYPES.has(n.dtype) && !exactInDoubles(n)) narrowArithmetic = true;
    for (const s of n.src) visit(s);
  };
  for (const root of roots) if (root) visit(root);
  return approximated && !narrowArithmetic;
}

/**
 * A narrow-dtype node that Wasm evaluates without rounding: a representable constant, a load, a
 * selection (jax-js's weakly typed ±1 in `where`, for tanh and power), a cast from bool or a narrow
 * float. Narrow arithmetic (Wasm rounds each result to float32) keeps the kernel on jax-js's code.
 */
function exactInDoubles(n: CpuAluNode): boolean {
  switch (n.op) {
    case "Const":
      return typeof n.arg === "number" && (Number.isNaN(n.arg) || Math.fround(n.arg) === n.arg);
    case "GlobalIndex":
    case "Where":
    case "Max":
    case "Min":
      return true;
    case "Cast":
      return n.src[0].dtype === "bool" || NARROW_DTYPES.has(n.src[0].dtype);
    default:
      return false;
  }
}

const isConst = (n: CpuAluNode, value: number) => n.op === "Const" && n.arg === value;

/** A node for an op jax-js does not have; compile.ts emits it inline (evaluate serves the fallback path). */
function mathNode(op: "Expm1" | "Log1p" | "Pow", src: CpuAluNode[]): CpuAluNode {
  const evaluate = (context: Record<string, number>, globals: (gid: number, index: number) => number) => {
    const [a, b] = src.map((s) => s.evaluate(context, globals));
    if (op === "Expm1") return Math.expm1(a);
    if (op === "Log1p") return Math.log1p(a);
    return a >= 0 ? (a + 0) ** b : Number.NaN;
  };
  return { op, dtype: "float64", src, arg: undefined, evaluate };
}

/** The three rewrites of a float64 node whose children are already rewritten (undefined: none applies). */
function rewriteNode(n: CpuAluNode, src: CpuAluNode[]): CpuAluNode | undefined {
  if (n.dtype !== "float64") return undefined;
  const [a, b] = src;
  // exp(x) + -1 (jax-js writes x - 1 as x + -1)
  if (n.op === "Add" && a.op === "Exp" && isConst(b, -1)) return mathNode("Expm1", [a.src[0]]);
  if (n.op === "Add" && b.op === "Exp" && isConst(a, -1)) return mathNode("Expm1", [b.src[0]]);
  if (n.op === "Sub" && a.op === "Exp" && isConst(b, 1)) return mathNode("Expm1", [a.src[0]]);
  if (n.op === "Log" && a.op === "Add") {
    const [p, q] = a.src;
    if (isConst(q, 1)) return mathNode("Log1p", [p]);
    if (isConst(p, 1)) return mathNode("Log1p", [q]);
  }
  if (n.op === "Exp" && a.op === "Mul") {
    const [p, q] = a.src;
    if (p.op === "Log" && p.dtype === "float64") return mathNode("Pow", [p.src[0], q]);
    if (q.op === "Log" && q.dtype === "float64") return mathNode("Pow", [q.src[0], p]);
  }
  return undefined;
}

/** Rewrites a tree bottom-up, keeping shared subtrees shared (a node is rewritten once). */
export function rewriteForAccuracy(root: CpuAluNode, memo = new Map<CpuAluNode, CpuAluNode>()): CpuAluNode {
  const known = memo.get(root);
  if (known) return known;
  const src = root.src.map((s) => rewriteForAccuracy(s, memo));
  let out = rewriteNode(root, src);
  if (!out) {
    // A copy with the new children; evaluate (for fallback ops) reads them through `this.src`.
    out = src.every((s, i) => s === root.src[i]) ? root : Object.assign(Object.create(root) as CpuAluNode, { src });
  }
  memo.set(root, out);
  return out;
}
