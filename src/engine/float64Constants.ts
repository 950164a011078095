import { numpy as np } from "@jax-js/jax";

/**
 * jax-js 0.1.25 rounds a JS number operand to float32 under `jit`, even in a float64 program: it
 * becomes a weakly typed float32 scalar, and tracing inlines that scalar's float32 value (so
 * `mean` over 20 examples, `x.mul(1 / 20)`, is off by ~1e-8 relative). This wraps the array
 * methods that take a number (`add sub mul div mod` and the comparisons; `mean` goes through
 * `mul`) so a number operand of a float64 array becomes a float64 scalar first, which tracing
 * keeps exact. Float32 programs are untouched. Free functions (`np.multiply(x, 0.1)`,
 * `np.where(c, x, 0.5)`, `np.subtract(x, 0.5)`) are covered at the traces by float64Literals.ts.
 */
const installed = Symbol.for("descent.float64Constants");
const methods = [
  "add",
  "sub",
  "mul",
  "div",
  "mod",
  "greater",
  "less",
  "equal",
  "notEqual",
  "greaterEqual",
  "lessEqual",
] as const;

export function installFloat64Constants(): void {
  // Array extends jax-js's Tracer, the class that defines these methods for arrays and tracers alike.
  const tracer = Object.getPrototypeOf(np.Array.prototype) as Record<string | symbol, unknown>;
  if (tracer[installed]) return;
  for (const name of methods) {
    const original = tracer[name] as (this: np.Array, other: unknown) => np.Array;
    if (typeof original !== "function")
      throw new Error(`jax-js has no Tracer.${name}: update src/engine/float64Constants.ts`);
    tracer[name] = function (this: np.Array, other: unknown): np.Array {
      const exact =
        typeof other === "number" && this.dtype === np.float64 ? np.full([], other, { dtype: np.float64 }) : other;
      return original.call(this, exact);
    };
  }
  tracer[installed] = true;
}

installFloat64Constants();
