import type { CpuAluNode } from "./aluNode.js";

/** Closed integer interval [lo, hi]. */
export type Range = readonly [number, number];

/**
 * The range of an integer index expression when gidx and ridx run over their loops, by interval
 * arithmetic; undefined when it cannot be bounded (then the read keeps its bounds check).
 */
export function indexRange(n: CpuAluNode, loops: Record<string, Range>): Range | undefined {
  const sub = (i: number) => indexRange(n.src[i], loops);
  switch (n.op) {
    case "Const":
      return typeof n.arg === "number" && Number.isInteger(n.arg) ? [n.arg, n.arg] : undefined;
    case "Special":
      return loops[(n.arg as [string])[0]];
    case "Variable":
      return loops[n.arg as string];
    case "Cast":
      return n.dtype === "int32" && n.src[0].dtype === "int32" ? sub(0) : undefined;
    case "Where": {
      const [a, b] = [sub(1), sub(2)];
      return a && b ? [Math.min(a[0], b[0]), Math.max(a[1], b[1])] : undefined;
    }
  }
  if (n.src.length !== 2 || n.dtype !== "int32") return undefined;
  const [a, b] = [sub(0), sub(1)];
  if (!a || !b) return undefined;
  switch (n.op) {
    case "Add":
      return [a[0] + b[0], a[1] + b[1]];
    case "Sub":
      return [a[0] - b[1], a[1] - b[0]];
    case "Mul": {
      const products = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]];
      return [Math.min(...products), Math.max(...products)];
    }
    case "Min":
      return [Math.min(a[0], b[0]), Math.min(a[1], b[1])];
    case "Max":
      return [Math.max(a[0], b[0]), Math.max(a[1], b[1])];
    // Non-negative dividend, positive constant divisor: the cases jax-js's shape trackers produce.
    case "Idiv":
      return a[0] >= 0 && b[0] === b[1] && b[0] > 0 ? [Math.trunc(a[0] / b[0]), Math.trunc(a[1] / b[0])] : undefined;
    case "Mod":
      return a[0] >= 0 && b[0] === b[1] && b[0] > 0 ? [0, Math.min(a[1], b[0] - 1)] : undefined;
  }
  return undefined;
}
