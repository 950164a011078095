/**
 * Runs jax-js's `cpu` device (Descent's exact float64 device) on compiled kernels instead of its
 * tree-walking interpreter: bit-identical results (compile.ts keeps the interpreter's semantics),
 * 20-100x less time per kernel.
 *
 * jax-js 0.1.25's CpuBackend keeps its buffers in a private field, so the hook gives the backend
 * instance its own buffer table: malloc, incRef, decRef, read, readSync and dispatch are replaced on
 * the instance, and every buffer allocated from then on lives here. Routines (sort, Cholesky, …),
 * and slots jax-js allocated before the hook, go through jax-js's own methods on temporary copies.
 * `DESCENT_CPU_COMPILE=0` leaves the backend alone.
 */
import { compileCpuKernel, inputDtypesOf, type CompiledKernel, type TunedKernel } from "./compile.js";
import { INTERNALS_CHANGED, jaxInternals } from "../jaxChunk.js";

const EXPORTS = { getBackend: "s", tuneNullopt: "g", FpHash: "R", Routine: "x", dtypedArray: "N" } as const;
/** Our slots start here, far above jax-js's own counter (which starts at 1), so the two never meet. */
const FIRST_SLOT = 1 << 30;
/** Compiled kernels kept by hash (eager ops build new Kernel objects for the same computation). */
const MAX_CACHED = 4096;

interface CpuBackendLike {
  malloc(size: number, initialData?: Uint8Array): number;
  incRef(slot: number): void;
  decRef(slot: number): void;
  read(slot: number, start?: number, count?: number): Promise<Uint8Array>;
  readSync(slot: number, start?: number, count?: number): Uint8Array;
  dispatch(exe: { source: unknown }, inputs: number[], outputs: number[]): void;
}

export interface CpuCompileStatus {
  active: boolean;
  reason?: string;
  /** Kernels compiled so far, and kernels the compiler left to the interpreter. */
  compiled: number;
  interpreted: number;
  /** Buffers alive in the hook's table (a leak check). */
  buffers: number;
}

const status: CpuCompileStatus = { active: false, reason: "not installed", compiled: 0, interpreted: 0, buffers: 0 };
let liveBuffers = () => 0;
let enabled = true;

/** Installs the compiled cpu device (once; later calls return the status). */
export async function installCpuCompiler(): Promise<CpuCompileStatus> {
  if (status.reason !== "not installed") return status;
  if (typeof process !== "undefined" && process.env?.DESCENT_CPU_COMPILE === "0") {
    status.reason = "disabled by DESCENT_CPU_COMPILE=0";
    return status;
  }
  try {
    const { getBackend, tuneNullopt, FpHash, Routine, dtypedArray } = await jaxInternals(EXPORTS);
    if (![getBackend, tuneNullopt, FpHash?.hash, Routine, dtypedArray].every((f) => typeof f === "function"))
      throw new Error(INTERNALS_CHANGED);
    const cpu = getBackend("cpu") as CpuBackendLike;
    if (typeof cpu?.dispatch !== "function" || typeof cpu.malloc !== "function") throw new Error("no cpu backend");
    takeOver(cpu, { tuneNullopt, FpHash, Routine, dtypedArray });
    Object.assign(status, { active: true, reason: undefined });
  } catch (error) {
    Object.assign(status, { active: false, reason: `cpu compiler not installed: ${(error as Error).message}` });
  }
  return status;
}

// biome-ignore lint/suspicious/noExplicitAny: jax-js internals
type Internals = Record<"tuneNullopt" | "FpHash" | "Routine" | "dtypedArray", any>;

function takeOver(cpu: CpuBackendLike, jax: Internals): void {
  const own = {
    malloc: cpu.malloc.bind(cpu),
    incRef: cpu.incRef.bind(cpu),
    decRef: cpu.decRef.bind(cpu),
    readSync: cpu.readSync.bind(cpu),
    dispatch: cpu.dispatch.bind(cpu),
  };
  // A buffer's typed views are made once (jax-js reads a slot with one dtype for its whole life).
  const buffers = new Map<number, { buffer: Uint8Array; ref: number; views?: Map<string, ArrayLike<number>> }>();
  let nextSlot = FIRST_SLOT;
  liveBuffers = () => buffers.size;
  const byKernel = new WeakMap<object, CompiledKernel | null>();
  const byHash = new Map<string, CompiledKernel | null>();

  const compiled = (kernel: object): CompiledKernel | null => {
    let run = byKernel.get(kernel);
    if (run !== undefined) return run;
    const hash = String(jax.FpHash.hash(kernel));
    run = byHash.get(hash);
    if (run === undefined) {
      const tuned = jax.tuneNullopt(kernel);
      const k = kernel as { size: number; dtype: string; reduction?: TunedKernel["reduction"] };
      run =
        compileCpuKernel({
          size: k.size,
          dtype: k.dtype,
          exp: tuned.exp,
          reduction: k.reduction && {
            op: k.reduction.op,
            dtype: k.reduction.dtype,
            size: k.reduction.size,
            identity: k.reduction.identity,
            epilogue: tuned.epilogue,
          },
        }) ?? null;
      if (run) status.compiled++;
      else status.interpreted++;
      if (byHash.size >= MAX_CACHED) byHash.clear();
      byHash.set(hash, run);
    }
    byKernel.set(kernel, run);
    return run;
  };

  /** jax-js's own dispatch on copies of our buffers: for routines, foreign slots, uncompiled kernels. */
  const dispatchOnCopies = (exe: { source: unknown }, inputs: number[], outputs: number[]) => {
    const temporary: number[] = [];
    const theirs = (slot: number) => {
      const mine = buffers.get(slot);
      if (!mine) return slot;
      const copy = own.malloc(mine.buffer.byteLength, mine.buffer);
      temporary.push(copy);
      return copy;
    };
    const ins = inputs.map(theirs);
    const outs = outputs.map(theirs);
    try {
      own.dispatch(exe, ins, outs);
      outputs.forEach((slot, i) => {
        const mine = buffers.get(slot);
        if (mine) mine.buffer.set(own.readSync(outs[i]));
      });
    } finally {
      for (const slot of temporary) own.decRef(slot);
    }
  };

  const buffer = (slot: number) => buffers.get(slot)?.buffer;
  const view = (slot: number, dtype: string): ArrayLike<number> | undefined => {
    const entry = buffers.get(slot);
    if (!entry) return undefined;
    entry.views ??= new Map();
    let typed = entry.views.get(dtype);
    if (!typed) entry.views.set(dtype, (typed = jax.dtypedArray(dtype, entry.buffer) as ArrayLike<number>));
    return typed;
  };

  Object.assign(cpu, {
    malloc(size: number, initialData?: Uint8Array): number {
      const data = new Uint8Array(size);
      if (initialData) {
        if (initialData.byteLength !== size) throw new Error("initialData size does not match buffer size");
        data.set(initialData);
      }
      const slot = nextSlot++;
      buffers.set(slot, { buffer: data, ref: 1 });
      return slot;
    },
    incRef(slot: number): void {
      const entry = buffers.get(slot);
      if (entry) entry.ref++;
      else own.incRef(slot);
    },
    decRef(slot: number): void {
      const entry = buffers.get(slot);
      if (!entry) own.decRef(slot);
      else if (--entry.ref === 0) buffers.delete(slot);
    },
    async read(slot: number, start?: number, count?: number): Promise<Uint8Array> {
      return cpu.readSync(slot, start, count);
    },
    readSync(slot: number, start = 0, count?: number): Uint8Array {
      const data = buffer(slot);
      if (!data) return own.readSync(slot, start, count);
      return data.slice(start, start + (count ?? data.byteLength - start));
    },
    dispatch(exe: { source: unknown }, inputs: number[], outputs: number[]): void {
      const kernel = exe.source as { dtype: string };
      const run = enabled && !(kernel instanceof jax.Routine) ? compiled(kernel) : null;
      const out = run && outputs.length === 1 ? view(outputs[0], kernel.dtype) : undefined;
      if (!run || !out || inputs.some((slot) => !buffers.has(slot))) {
        dispatchOnCopies(exe, inputs, outputs);
        return;
      }
      const dtypes = inputDtypesOf(run);
      run(
        inputs.map((slot, gid) => {
          const dtype = dtypes.get(gid);
          return dtype ? (view(slot, dtype) as ArrayLike<number>) : null;
        }),
        out as { [i: number]: number },
      );
    },
  });
}

/** Turns compiled dispatch on or off (off: jax-js's interpreter, for A/B checks and benches). */
export function setCpuCompileEnabled(on: boolean): void {
  enabled = on;
}

export const cpuCompileStatus = (): CpuCompileStatus => ({ ...status, buffers: liveBuffers() });
