/**
 * Keeps JS number literals exact in float64 programs under `jit` (and `grad`, `vmap` inside it),
 * wherever they are written: array methods, free functions (`np.multiply(x, 0.1)`,
 * `np.subtract(x, 0.3)`, `np.where(c, x, 0.5)`, `np.clip(x, 0, 0.3)`) and jax-js's own formulas
 * (log1p's series cutoff).
 *
 * jax-js 0.1.25 turns a number operand into a weakly typed float32 scalar; jit then inlines that
 * scalar as a literal read back through a Float32Array, so 0.1 becomes 0.10000000149011612 even
 * when it multiplies a float64 array. This hook remembers, for each constant jit lifts, the double
 * it stands for, and gives an equation that has a float64 operand a weakly typed *float64* scalar
 * of that double instead. Equations without a float64 operand (every float32 program) are left
 * exactly as they were. Eager code needs nothing: it never rounds a literal.
 */
import { makeJaxpr, numpy as np } from "@jax-js/jax";
import { INTERNALS_CHANGED, jaxInternals } from "./jaxChunk.js";

const EXPORTS = { getBackend: "s", AluExp: "w", ShapeTracker: "v" } as const;
const installed = Symbol.for("descent.float64Literals");

type Lifting = (this: unknown, value: unknown) => unknown;

/** jit's trace class (JaxprTrace), found from a tracer of a tiny probe function. */
function jaxprTrace(): { prototype: Record<string | symbol, unknown>; name: string } {
  let found: { prototype: Record<string | symbol, unknown>; name: string } | undefined;
  makeJaxpr((x: np.Array) => {
    found = (x as unknown as { _trace: { constructor: never } })._trace.constructor;
    return x;
  })(np.array(new Float64Array([1]), { dtype: np.float64 }));
  if (!found) throw new Error("no jit trace seen");
  return found;
}

export interface Float64LiteralsStatus {
  active: boolean;
  reason?: string;
}
const status: Float64LiteralsStatus = { active: false, reason: "not installed" };
export const float64LiteralsStatus = (): Float64LiteralsStatus => ({ ...status });

/**
 * Installs the hook (once; called by startEngine after jax-js's init). Never throws: if jax-js's
 * internals changed, literals round as before and the status says why.
 */
export async function installFloat64Literals(): Promise<Float64LiteralsStatus> {
  if (status.reason !== "not installed") return status;
  try {
    await install();
    Object.assign(status, { active: true, reason: undefined });
  } catch (error) {
    Object.assign(status, { active: false, reason: `float64 literals not installed: ${(error as Error).message}` });
  }
  return status;
}

async function install(): Promise<void> {
  const { getBackend, AluExp, ShapeTracker } = await jaxInternals(EXPORTS);
  if (![getBackend, AluExp?.const, ShapeTracker?.fromShape].every((f) => typeof f === "function"))
    throw new Error(`${INTERNALS_CHANGED}: update src/engine/float64Literals.ts`);
  // What np.full([], value) makes, with float64 in place of float32 (its weak type kept).
  const weakFloat64 = (value: number) =>
    new (np.Array as unknown as new (args: object) => np.Array)({
      source: AluExp.const("float64", value),
      st: ShapeTracker.fromShape([]),
      dtype: np.float64,
      weakType: true,
      backend: getBackend(),
      committed: false,
    });
  const trace = jaxprTrace();
  const jaxpr = trace.prototype;
  if (
    trace.name !== "JaxprTrace" ||
    typeof jaxpr.processPrimitive !== "function" ||
    typeof jaxpr.getOrMakeConstTracer !== "function"
  )
    throw new Error(`jax-js's jit trace changed (${trace.name}): update src/engine/float64Literals.ts`);
  if (jaxpr[installed]) return;
  // A number that jax-js made an array first (fudgeArray in subtract and divide; jvp's pure) is a
  // lazy weakly typed float32 scalar whose constant still holds the double: reading it resolves
  // that constant (AluExp.resolve) before rounding, so watch the read and keep the double.
  let watched: number[] | undefined;
  const resolve = AluExp.prototype.resolve as (this: unknown) => unknown;
  if (typeof resolve !== "function") throw new Error("jax-js's AluExp.resolve changed: update float64Literals.ts");
  AluExp.prototype.resolve = function (this: unknown) {
    const value = resolve.call(this);
    if (watched && typeof value === "number") watched.push(value);
    return value;
  };
  const isWeakFloat32Scalar = (value: unknown): value is np.Array =>
    value instanceof np.Array && value.dtype === np.float32 && value.ndim === 0 && value.weakType;
  /** The double of a number literal: a number, or the lazy weak float32 scalar jax-js made of one. */
  const literalOf = (value: unknown): number | undefined => {
    if (typeof value === "number") return value;
    if (!isWeakFloat32Scalar(value)) return undefined;
    const seen: number[] = [];
    watched = seen;
    let rounded: number;
    try {
      rounded = value.ref.dataSync()[0];
    } finally {
      watched = undefined;
    }
    // One constant resolved, and float32 made it the value read: that constant is the literal.
    return seen.length === 1 && Math.fround(seen[0]) === rounded ? seen[0] : undefined;
  };
  // Const tracers that stand for a literal float32 cannot hold, with the literal.
  const literals = new WeakMap<object, number>();
  const lift = jaxpr.getOrMakeConstTracer as Lifting;
  // JaxprTrace's pure and lift are instance fields copied from getOrMakeConstTracer at construction.
  jaxpr.getOrMakeConstTracer = function (this: unknown, value: unknown) {
    const literal = literalOf(value);
    const tracer = lift.call(this, value) as object;
    if (literal !== undefined && Math.fround(literal) !== literal) literals.set(tracer, literal);
    return tracer;
  };
  // Only an equation with a float64 operand gets the exact literal: float32 programs stay as they were.
  type TracerLike = { aval: { dtype: string }; dispose(): void };
  const processPrimitive = jaxpr.processPrimitive as (this: unknown, ...args: unknown[]) => unknown;
  jaxpr.processPrimitive = function (this: unknown, primitive: unknown, tracers: TracerLike[], params: unknown) {
    let inputs = tracers;
    if (tracers.some((t) => literals.has(t)) && tracers.some((t) => t.aval.dtype === np.float64)) {
      inputs = tracers.map((t) => {
        const literal = literals.get(t);
        if (literal === undefined) return t;
        t.dispose(); // the equation consumes its inputs: this one is replaced
        return lift.call(this, weakFloat64(literal)) as TracerLike;
      });
    }
    const outputs = processPrimitive.call(this, primitive, inputs, params) as object[];
    // x / 0.3 is x · reciprocal(0.3), and −0.3 a negation: their results stand for a literal too.
    const literal = inputs.length === 1 ? literals.get(inputs[0]) : undefined;
    if (literal !== undefined && (primitive === "reciprocal" || primitive === "neg"))
      literals.set(outputs[0], primitive === "neg" ? -literal : 1 / literal);
    return outputs;
  };
  jaxpr[installed] = true;
}
