/**
 * The jax-js internals the GEMM hook reaches: its Wasm backend object and a few classes and helpers
 * of the pinned jax-js 0.1.25 chunk, imported by the chunk's file name and minified export names.
 * They are checked here and handed to the rest of the hook in Descent's own terms (the matchers'
 * tools, makers of expressions, kernels and Executables); any surprise throws, which turns the hook
 * off with that reason while jax-js keeps working.
 */
import { INTERNALS_CHANGED, jaxInternals } from "../jaxChunk.js";

export { INTERNALS_CHANGED };
import type { AluNode, MatchTools } from "./match.js";
import type { ReciprocalTools } from "./simdReciprocal.js";

/** The minified export names of jax-js's internal chunk (../jaxChunk.ts; a test checks they still fit). */
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

/** Loads and checks the internals (throws, naming what changed, when they are not what the hook expects). */
export async function loadJaxInternals(): Promise<JaxInternals> {
  const {
    getBackend,
    Executable,
    unravelAlu: unravel,
    AluVar,
    deepEqual,
    AluExp,
    Kernel,
    isTracing,
  } = await jaxInternals(EXPORTS);
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
