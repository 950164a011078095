/**
 * jax-js 0.1.25's internal chunk, which the engine's hooks (gemm/, cpu/, f64/, float64Literals.ts) reach
 * by its file name and minified export names: the one place to update when the pinned jax-js changes.
 */
export const JAX_CHUNK = "./backend-CnjgxpXq.js";

/** Why a hook is off when an export is not what it expects. */
export const INTERNALS_CHANGED = `jax-js internals changed (${JAX_CHUNK} exports)`;

/** The chunk's exports under our names: `names` maps each of our names to its minified export name. */
// biome-ignore lint/suspicious/noExplicitAny: jax-js's internal chunk has no types
export async function jaxInternals<N extends string>(names: Record<N, string>): Promise<Record<N, any>> {
  const entry = import.meta.resolve("@jax-js/jax");
  // biome-ignore lint/suspicious/noExplicitAny: jax-js's internal chunk has no types
  const chunk = (await import(new URL(JAX_CHUNK, entry).href)) as Record<string, any>;
  // biome-ignore lint/suspicious/noExplicitAny: jax-js's internal chunk has no types
  return Object.fromEntries(Object.entries(names).map(([name, key]) => [name, chunk[key as string]])) as Record<N, any>;
}
