/**
 * Exact float64 on the Wasm device: float64 kernels that jax-js 0.1.25 would compute with its
 * float32-accurate exp/log/sin/… (rewrite.ts lists them) run as compiled JavaScript loops
 * (engine/cpu/compile.ts, with rewrite.ts's accuracy rewrites) directly over jax-js's Wasm memory.
 * Every other kernel, and every float32 kernel, stays on jax-js's (or the GEMM's) Wasm code.
 *
 * The routing happens at kernel preparation, like the GEMM's: a routed kernel's Executable carries
 * a tiny Wasm module (pointerModule.ts) that jax-js instantiates and calls as usual, which stores
 * the buffer addresses jax-js passes it; the wrapped `dispatch` then runs the JavaScript loop over
 * typed views at those addresses. jax-js's own dispatch keeps its checks (slots, pending work).
 * `DESCENT_EXACT_F64=0` leaves the Wasm backend alone.
 */
import { compileCpuKernel, inputDtypesOf, type CompiledKernel, type CpuAluNode } from "../cpu/compile.js";
import { pointerModuleBytes } from "./pointerModule.js";
import { needsExactPath, rewriteForAccuracy } from "./rewrite.js";
import { jaxJsRunsWorkers } from "../threads/install.js";
import { INTERNALS_CHANGED, jaxInternals } from "../jaxChunk.js";

/** The minified export names of jax-js's internal chunk (../jaxChunk.ts; a test checks they still fit). */
const EXPORTS = { getBackend: "s", Executable: "t", tuneNullopt: "g", FpHash: "R" } as const;
/** Room for jax-js's 64 kernel arguments and the output. */
const SCRATCH_BYTES = 4 * 80;
/** Typed views kept per dtype (addresses jax-js has handed out; cleared past this many). */
const MAX_VIEWS = 4096;
/** Compiled kernels kept by hash (eager ops build new Kernel objects for the same computation). */
const MAX_CACHED = 4096;

interface KernelLike {
  nargs: number;
  size: number;
  dtype: string;
  reduction?: { op: string; dtype: string; size: number; identity: number };
}
interface ExecutableLike {
  source: unknown;
  data: { program?: unknown; sync: boolean };
}
interface WasmBackendLike {
  prepareKernelSync(kernel: unknown): unknown;
  prepareKernel(kernel: unknown): Promise<unknown>;
  malloc(size: number, initialData?: Uint8Array): number;
  dispatch(exe: unknown, inputs: number[], outputs: number[]): void;
  readSync(slot: number, start?: number, count?: number): Uint8Array;
}
/** What jax-js's Wasm dispatch reads from a program, plus the loop this module runs after it. */
interface ExactProgram {
  kernelHash: string;
  module: WebAssembly.Module;
  workSize: number;
  chunkAlignment: number;
  exactF64: ExactKernel;
  /**
   * The loop with a Wasm kernel's signature, `(ptr_0 … ptr_n, begin, end)`: for a caller that calls
   * kernels itself with the addresses it knows (the jit program runner, engine/gemm/programRunner.ts).
   */
  direct: (...args: number[]) => void;
}
interface ExactKernel {
  run: CompiledKernel;
  dtypes: string[];
  outputDtype: string;
}

export interface ExactF64Status {
  active: boolean;
  reason?: string;
  /** Distinct float64 kernels routed to JavaScript so far. */
  kernels: number;
  /** Routed kernel executions so far. */
  calls: number;
  /**
   * float64 kernels that needed the exact path but could not be compiled (source past the compiler's
   * size limit, or `new Function` refused by a page's CSP): they run jax-js's float32-accurate code.
   */
  inexactKernels: number;
}

const status: ExactF64Status = { active: false, reason: "not installed", kernels: 0, calls: 0, inexactKernels: 0 };
let enabled = true;

const VIEW: Record<string, new (buffer: ArrayBufferLike, offset: number, length: number) => ArrayLike<number>> = {
  float64: Float64Array,
  float32: Float32Array,
  int32: Int32Array,
  bool: Int32Array,
  uint32: Uint32Array,
};

/**
 * jax-js keeps its Wasm memory private; it passes it to every instance it creates. Capture it
 * once, while dispatching the start-up probe, by watching that one instantiation.
 */
function captureMemory(dispatch: () => void): WebAssembly.Memory {
  const Instance = WebAssembly.Instance;
  let memory: WebAssembly.Memory | undefined;
  const watching = new Proxy(Instance, {
    construct(target, args: [WebAssembly.Module, WebAssembly.Imports?]) {
      const candidate = (args[1]?.env as Record<string, unknown> | undefined)?.memory;
      if (candidate instanceof WebAssembly.Memory) memory = candidate;
      return Reflect.construct(target, args);
    },
  });
  (WebAssembly as { Instance: unknown }).Instance = watching;
  try {
    dispatch();
  } finally {
    (WebAssembly as { Instance: unknown }).Instance = Instance;
  }
  if (!memory) throw new Error("jax-js's Wasm memory was not seen at dispatch");
  return memory;
}

/** Installs the exact float64 path on jax-js's Wasm backend (once; later calls return the status). */
export async function installExactFloat64(): Promise<ExactF64Status> {
  if (status.reason !== "not installed") return status;
  if (typeof process !== "undefined" && process.env?.DESCENT_EXACT_F64 === "0") {
    status.reason = "disabled by DESCENT_EXACT_F64=0";
    return status;
  }
  try {
    const { getBackend, Executable, tuneNullopt, FpHash } = await jaxInternals(EXPORTS);
    if (![getBackend, Executable, tuneNullopt, FpHash?.hash].every((f) => typeof f === "function"))
      throw new Error(INTERNALS_CHANGED);
    const wasm = getBackend("wasm") as WasmBackendLike;
    if (typeof wasm?.prepareKernelSync !== "function") throw new Error("jax-js has no wasm backend");
    takeOver(wasm, { Executable, tuneNullopt, FpHash });
    Object.assign(status, { active: true, reason: undefined });
  } catch (error) {
    Object.assign(status, { active: false, reason: `exact float64 not installed: ${(error as Error).message}` });
  }
  return status;
}

// biome-ignore lint/suspicious/noExplicitAny: jax-js internals
type Internals = Record<"Executable" | "tuneNullopt" | "FpHash", any>;

function takeOver(wasm: WasmBackendLike, jax: Internals): void {
  // jax-js shares its memory exactly when it can start workers (its hasSharedArrayBuffer).
  const shared =
    typeof SharedArrayBuffer !== "undefined" && typeof (globalThis as Record<string, unknown>).Worker !== "undefined";
  const dispatchOwn = wasm.dispatch.bind(wasm);
  const program = (kernelHash: string, module: WebAssembly.Module) => ({
    kernelHash,
    module,
    workSize: 1,
    chunkAlignment: 1,
  });

  // The scratch block's address: a probe stores its own pointer into it.
  const scratchSlot = wasm.malloc(SCRATCH_BYTES, new Uint8Array(SCRATCH_BYTES));
  const probe = new WebAssembly.Module(pointerModuleBytes(1, "self", shared));
  const probeExe = new jax.Executable({ probe: true }, { program: program("descent-f64-probe", probe), sync: true });
  const memory = captureMemory(() => dispatchOwn(probeExe, [], [scratchSlot]));
  const scratch = new DataView(wasm.readSync(scratchSlot, 0, 4).buffer).getUint32(0, true);

  const modules = new Map<number, WebAssembly.Module>();
  const pointerModule = (pointers: number) => {
    let module = modules.get(pointers);
    if (!module)
      modules.set(pointers, (module = new WebAssembly.Module(pointerModuleBytes(pointers, scratch, shared))));
    return module;
  };

  const byKernel = new WeakMap<object, ExactProgram | null>();
  const byHash = new Map<string, ExactProgram | null>();
  const exactProgram = (kernel: unknown): ExactProgram | null => {
    const k = kernel as KernelLike;
    // A float32 output would round through a Cast needsExactPath refuses: skip the hashing.
    if (!enabled || typeof k?.nargs !== "number" || k.dtype === "float32" || k.dtype === "float16") return null;
    let found = byKernel.get(kernel as object);
    if (found !== undefined) return found;
    const hash = String(jax.FpHash.hash(kernel));
    found = byHash.get(hash);
    if (found === undefined) {
      found = compileExact(k, hash);
      if (byHash.size >= MAX_CACHED) byHash.clear();
      byHash.set(hash, found);
    }
    byKernel.set(kernel as object, found);
    return found;
  };
  const compileExact = (k: KernelLike, hash: string): ExactProgram | null => {
    const tuned = jax.tuneNullopt(k) as { exp: CpuAluNode; epilogue?: CpuAluNode };
    if (!needsExactPath([tuned.exp, k.reduction ? tuned.epilogue : undefined])) return null;
    const memo = new Map<CpuAluNode, CpuAluNode>();
    const run = compileCpuKernel({
      size: k.size,
      dtype: k.dtype,
      exp: rewriteForAccuracy(tuned.exp, memo),
      reduction: k.reduction && {
        op: k.reduction.op,
        dtype: k.reduction.dtype,
        size: k.reduction.size,
        identity: k.reduction.identity,
        epilogue: rewriteForAccuracy(tuned.epilogue as CpuAluNode, memo),
      },
    });
    const used = run && VIEW[k.dtype] ? inputDtypesOf(run) : undefined;
    if (!run || !used || [...used.values()].some((dtype) => !VIEW[dtype])) {
      status.inexactKernels++;
      return null;
    }
    status.kernels++;
    const dtypes = Array.from({ length: k.nargs }, (_, gid) => used.get(gid) ?? "");
    const exact: ExactKernel = { run, dtypes, outputDtype: k.dtype };
    return {
      ...program(`descent-f64:${hash}`, pointerModule(k.nargs + 1)),
      exactF64: exact,
      direct: (...args: number[]) => runExact(exact, args),
    };
  };

  // Views over the current memory buffer (jax-js grows the memory, which replaces the buffer). Like
  // jax-js's Wasm kernels, a view runs to the end of memory (loop bounds come from the kernel), so it
  // depends only on its address and dtype: jax-js's allocator reuses addresses, and views are kept.
  let buffer: ArrayBufferLike | undefined;
  let pointers = new Uint32Array(0);
  const views = new Map<string, Map<number, ArrayLike<number>>>();
  const view = (dtype: string, ptr: number): ArrayLike<number> => {
    let byPointer = views.get(dtype);
    if (!byPointer) views.set(dtype, (byPointer = new Map()));
    let found = byPointer.get(ptr);
    if (!found) {
      if (byPointer.size >= MAX_VIEWS) byPointer.clear();
      const bytes = (buffer as ArrayBufferLike).byteLength;
      found = new VIEW[dtype](buffer as ArrayBufferLike, ptr, Math.floor((bytes - ptr) / width(dtype)));
      byPointer.set(ptr, found);
    }
    return found;
  };
  /** Runs the loop on the buffers at `addresses` (inputs by gid, then the output). */
  const refresh = () => {
    if (memory.buffer === buffer) return;
    buffer = memory.buffer;
    pointers = new Uint32Array(buffer, scratch, SCRATCH_BYTES / 4);
    views.clear();
  };
  const runExact = ({ run, dtypes, outputDtype }: ExactKernel, addresses: ArrayLike<number>) => {
    refresh();
    const inputs = dtypes.map((dtype, gid) => (dtype ? view(dtype, addresses[gid] >>> 0) : null));
    run(inputs, view(outputDtype, addresses[dtypes.length] >>> 0) as { [i: number]: number });
    status.calls++;
  };

  const prepareSync = wasm.prepareKernelSync.bind(wasm);
  const prepareAsync = wasm.prepareKernel.bind(wasm);
  wasm.prepareKernelSync = (kernel) => {
    const found = exactProgram(kernel);
    return found ? new jax.Executable(kernel, { program: found, sync: true }) : prepareSync(kernel);
  };
  // With jax-js's own worker pool, async kernels run on workers after dispatch returns: such
  // kernels keep jax-js's code. Descent's pool (threads/) keeps every dispatch synchronous.
  wasm.prepareKernel = async (kernel) => {
    const found = jaxJsRunsWorkers(shared) ? null : exactProgram(kernel);
    // sync: the JavaScript half runs inside dispatch (below), right after the pointer module.
    return found ? new jax.Executable(kernel, { program: found, sync: true }) : prepareAsync(kernel);
  };
  wasm.dispatch = (exe, inputs, outputs) => {
    dispatchOwn(exe, inputs, outputs);
    const exact = ((exe as ExecutableLike).data?.program as Partial<ExactProgram> | undefined)?.exactF64;
    if (!exact) return;
    refresh();
    runExact(exact, pointers); // the addresses the pointer module just stored
  };
}

const width = (dtype: string) => (dtype === "float64" ? 8 : 4); // every dtype in VIEW

/** Routes float64 kernels prepared from now on to the exact path (true) or to jax-js's code (false): for A/B. */
export function setExactFloat64Enabled(on: boolean): void {
  enabled = on;
}

/** True once installation was tried and did not activate (before startEngine: false, Wasm is assumed). */
export const exactFloat64Unavailable = (): boolean => !status.active && status.reason !== "not installed";

export const exactFloat64Status = (): ExactF64Status => ({ ...status });
