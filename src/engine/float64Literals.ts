/**
 * Keeps JS number literals exact in float64 programs under `jit`, `jvp` and `vmap`, wherever they
 * are written: free functions (`np.multiply(x, 0.1)`, `np.where(c, x, 0.5)`, `np.clip(x, 0, 0.3)`)
 * and jax-js's own formulas (log1p's series cutoff) as well as the array methods.
 *
 * jax-js 0.1.25 turns a number operand into a weakly typed float32 scalar; jit then inlines that
 * scalar as a literal read back through a Float32Array, so 0.1 becomes 0.10000000149011612 even
 * when it multiplies a float64 array. This hook makes the traces (JaxprTrace, JVPTrace,
 * BatchTrace) lift a number as a weakly typed *float64* scalar instead. Weak typing means the
 * other operand's dtype wins, so float32 programs still see float32(0.1) and keep their dtypes;
 * a float64 program gets 0.1 exactly. Eager code needs nothing: it never rounds a literal.
 */
import { jvp, makeJaxpr, numpy as np, vmap } from "@jax-js/jax";

const JAX_CHUNK = "./backend-CnjgxpXq.js";
const EXPORTS = { getBackend: "s", AluExp: "w", ShapeTracker: "v" } as const;
const installed = Symbol.for("descent.float64Literals");

type Lifting = (this: unknown, value: unknown) => unknown;

type TraceClass = { prototype: Record<string | symbol, unknown>; name: string };

/** The trace classes that lift plain numbers, found from tracers of a tiny probe function. */
function traceClasses(): Set<TraceClass> {
  const found = new Set<TraceClass>();
  const probe = (x: np.Array) => {
    found.add((x as unknown as { _trace: { constructor: never } })._trace.constructor);
    return x;
  };
  const one = () => np.array(new Float64Array([1]), { dtype: np.float64 });
  makeJaxpr(probe)(one());
  for (const out of jvp(probe, [one()], [one()])) out.dispose();
  vmap(probe)(one()).dispose();
  return found;
}

/** Installs the hook (once; called by startEngine after jax-js's init). */
export async function installFloat64Literals(): Promise<void> {
  const entry = import.meta.resolve("@jax-js/jax");
  // biome-ignore lint/suspicious/noExplicitAny: jax-js's internal chunk has no types
  const internals = (await import(new URL(JAX_CHUNK, entry).href)) as Record<string, any>;
  const { getBackend, AluExp, ShapeTracker } = Object.fromEntries(
    Object.entries(EXPORTS).map(([name, key]) => [name, internals[key]]),
  );
  if (![getBackend, AluExp?.const, ShapeTracker?.fromShape].every((f) => typeof f === "function"))
    throw new Error(`jax-js internals changed (${JAX_CHUNK} exports): update src/engine/float64Literals.ts`);
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
  const classes = new Map([...traceClasses()].map((c) => [c.name, c.prototype]));
  const [jaxpr, jvpTrace, batch] = ["JaxprTrace", "JVPTrace", "BatchTrace"].map((name) => classes.get(name));
  if (!jaxpr || !jvpTrace || !batch || classes.size !== 3)
    throw new Error(`jax-js's traces changed (${[...classes.keys()]}): update src/engine/float64Literals.ts`);
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
  const exactNumber = (value: unknown): unknown => {
    if (typeof value === "number") return weakFloat64(value);
    if (!isWeakFloat32Scalar(value)) return value;
    const seen: number[] = [];
    watched = seen;
    let rounded: number;
    try {
      rounded = value.ref.dataSync()[0];
    } finally {
      watched = undefined;
    }
    // One constant resolved, and float32 made it the value read: that constant is the literal.
    if (seen.length !== 1 || Math.fround(seen[0]) !== rounded) return value;
    value.dispose();
    return weakFloat64(seen[0]);
  };
  // JaxprTrace's pure and lift are instance fields copied from getOrMakeConstTracer at construction.
  for (const [prototype, method] of [
    [jaxpr, "getOrMakeConstTracer"],
    [batch, "pure"],
  ] as const) {
    const original = prototype[method] as Lifting;
    prototype[method] = function (this: unknown, value: unknown) {
      return original.call(this, exactNumber(value));
    };
  }
  jaxpr[installed] = true;
}
