/**
 * The jax-js internals the GEMM hook reaches: its Wasm backend object and a few classes and helpers
 * of the pinned jax-js 0.1.25 chunk, imported by the chunk's file name and minified export names.
 * They are checked here and handed to the rest of the hook in Descent's own terms (the matchers'
 * tools, makers of expressions, kernels and Executables); any surprise throws, which turns the hook
 * off with that reason while jax-js keeps working.
 */
import type { AluNode, MatchTools } from "./match.js";
import type { ReciprocalTools } from "./simdReciprocal.js";

/** The internal jax-js 0.1.25 chunk and its minified export names (a test checks they still fit). */
const JAX_CHUNK = "./backend-CnjgxpXq.js";
const EXPORTS = {
  getBackend: "s",
  Executable: "t",
  unravelAlu: "b",
  AluVar: "E",
  deepEqual: "U",
  AluExp: "w",
  Kernel: "O",
  isTracing: "d",
} as const;
/** Why the hook (or one of its optional parts) is off when an export is not what it expects. */
export const INTERNALS_CHANGED = `jax-js internals changed (${JAX_CHUNK} exports)`;

/** The public methods of jax-js's Wasm backend that the hook calls or wraps. */
export interface WasmBackendLike {
  prepareKernelSync(kernel: unknown): unknown;
  prepareKernel(kernel: unknown): Promise<unknown>;
  prepareRoutineSync(routine: unknown): unknown;
  incRef(slot: number): void;
  malloc(size: number, initialData?: Uint8Array): number;
  dispatch(exe: unknown, inputs: number[], outputs: number[]): void;
  readSync(slot: number, start?: number, count?: number): Uint8Array;
  decRef(slot: number): void;
}

/** new Executable(source, data): what jax-js's dispatch runs (data carries the program). */
export type MakeExecutable = (source: unknown, data: unknown) => unknown;

export interface JaxInternals {
  wasm: WasmBackendLike;
  makeExecutable: MakeExecutable;
  /** unravelAlu (simplified), the gidx/ridx variables and deepEqual, for the matchers. */
  tools: MatchTools;
  makeAlu: ReciprocalTools["makeAlu"];
  makeKernel: ReciprocalTools["makeKernel"];
  isKernel(source: unknown): boolean;
  /** jax-js's isTracing, when the chunk still exports it (only the program runner needs it). */
  isTracing?: () => boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: jax-js's internal chunk has no types
async function loadChunk(): Promise<Record<string, any>> {
  const entry = import.meta.resolve("@jax-js/jax");
  // biome-ignore lint/suspicious/noExplicitAny: jax-js's internal chunk has no types
  return (await import(new URL(JAX_CHUNK, entry).href)) as Record<string, any>;
}

/** Loads and checks the internals (throws, naming what changed, when they are not what the hook expects). */
export async function loadJaxInternals(): Promise<JaxInternals> {
  const internals = await loadChunk();
  const getBackend = internals[EXPORTS.getBackend];
  const Executable = internals[EXPORTS.Executable];
  const unravel = internals[EXPORTS.unravelAlu];
  const AluVar = internals[EXPORTS.AluVar];
  const deepEqual = internals[EXPORTS.deepEqual];
  const AluExp = internals[EXPORTS.AluExp];
  const Kernel = internals[EXPORTS.Kernel];
  const isTracing = internals[EXPORTS.isTracing];
  if (
    typeof getBackend !== "function" ||
    typeof Executable !== "function" ||
    typeof unravel !== "function" ||
    typeof deepEqual !== "function" ||
    typeof AluExp !== "function" ||
    typeof Kernel !== "function" ||
    AluVar?.gidx?.op !== "Variable"
  )
    throw new Error(INTERNALS_CHANGED);
  const wasm = getBackend("wasm") as WasmBackendLike;
  if (typeof wasm?.prepareKernelSync !== "function") throw new Error("jax-js has no wasm backend");
  return {
    wasm,
    makeExecutable: (source, data) => new Executable(source, data),
    tools: {
      unravel: (shape, index) => unravel(shape, index).map((e: { simplify(): AluNode }) => e.simplify()),
      gidx: AluVar.gidx,
      ridx: AluVar.ridx,
      deepEqual,
    },
    makeAlu: (op, dtype, src, arg) => new AluExp(op, dtype, src, arg),
    makeKernel: (nargs, size, exp, reduction) => new Kernel(nargs, size, exp, reduction),
    isKernel: (source) => source instanceof Kernel,
    isTracing: typeof isTracing === "function" ? () => isTracing() : undefined,
  };
}
