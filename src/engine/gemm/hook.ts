/**
 * Routes jax-js's matmul-shaped Wasm kernels to Descent's packed GEMM, at kernel preparation.
 *
 * A runtime hook rather than a patch of node_modules: it is installed by startEngine, works the
 * same for `npm ci`, for users installing Descent as a dependency (no postinstall, no hoisting
 * questions) and under bundlers, and it only uses the Wasm backend's public methods
 * (prepareKernel[Sync], malloc, dispatch, readSync) plus five internals of the pinned jax-js
 * 0.1.25 chunk. A matched kernel gets an Executable whose module is our GEMM with that kernel's
 * shapes baked in; jax-js instantiates and calls it exactly like its own code, so jit, grad and
 * vmap are untouched. Anything unmatched, or any surprise in the internals, falls back to jax-js.
 */
import { GEMM_SCRATCH_BYTES, gemmModuleBytes, type GemmDtype, type GemmParams } from "./module.js";
import { matchGemm, type AluNode, type MatchTools } from "./match.js";
import { GEMM_MODULES } from "./modules.generated.js";
import { reciprocalProgram, type ReciprocalTools } from "./simdReciprocal.js";
import { catchJitProgram, installProgramRewrites, type RewriteCounts } from "./programRewrites.js";
import { maxPoolEnabled } from "./maxPoolRewrite.js";
import { installProgramRunner, type RunnerCounts } from "./programRunner.js";
import { type MergedProgram, mergedProgramOf } from "./kernelMerge.js";
import {
  splitsByRows,
  VIEW_SUM_HASH,
  VIEW_SUM_RELU_HASH,
  viewSumCompiler,
  viewSumSwitchVersion,
  viewSumVariant,
} from "./viewSumRouting.js";
import * as threads from "../threads/install.js";
import type { Program } from "../threads/jobs.js";
import { withSharedMemory } from "../threads/sharedImport.js";

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
/** Byte offset of the GEMM's call counter inside its scratch block (scripts/gemm/wat.ts SCRATCH.calls). */
const CALLS_OFFSET = 256;
/** kernelHash prefix of the programs simdReciprocal.ts makes. */
const RECIPROCAL_HASH = "descent-recip:";

interface WasmBackendLike {
  prepareKernelSync(kernel: unknown): unknown;
  prepareKernel(kernel: unknown): Promise<unknown>;
  prepareRoutineSync(routine: unknown): unknown;
  incRef(slot: number): void;
  malloc(size: number, initialData?: Uint8Array): number;
  dispatch(exe: unknown, inputs: number[], outputs: number[]): void;
  readSync(slot: number, start?: number, count?: number): Uint8Array;
  decRef(slot: number): void;
}

export interface GemmStatus {
  /** True when matmul-shaped kernels go to the GEMM. */
  active: boolean;
  /** Why not, when inactive. */
  reason?: string;
  /** relaxed_madd (true) or mul+add. */
  fma: boolean;
  /** Kernels recognised so far (distinct shapes). */
  kernels: number;
  /** float32 elementwise kernels whose divisions were vectorised (simdReciprocal.ts). */
  divisionKernels: number;
  /** Distinct data-movement kernels (concatenations, pads, slice copies, their sums) compiled by viewSum.ts. */
  viewSumKernels: number;
  /** The last data-movement module that failed to compile (it stays with jax-js): a bug to report. */
  viewSumError?: string;
  /** Transposed copies skipped so far: products written transposed by the GEMM instead (transposeFusion.ts). */
  transposeFusions: number;
  /** Identity copies skipped so far: later kernels read the copied buffer itself (copyElision.ts). */
  copiesElided: number;
  /** Elementwise kernels run inside a sibling's multi-output kernel so far (kernelMerge.ts). */
  kernelsMerged: number;
  /** float32 exp kernels run vectorised so far (kernelMerge.ts; jax-js's own loop is scalar). */
  expKernels: number;
  /** Copies read only by products skipped so far: they read its input through a composed view (copyFolding.ts). */
  copiesFolded: number;
  /** Max-pooling groups run as two kernels of Descent's (maxPoolRewrite.ts). */
  poolsFused: number;
  /** Why the jit program rewrites (transposeFusion.ts, copyElision.ts) are off, when they are. */
  rewriteError?: string;
  /** Preparations of jax-js's own kernels answered from the per-Kernel cache (no FpHash of the tree). */
  programsReused: number;
  /** jit calls whose kernels ran as one unit on reused instances (programRunner.ts). */
  programRuns: number;
  /** Kernels those calls ran directly. */
  directKernels: number;
  /** Why the program runner is off, when it is. */
  runnerError?: string;
}

const status: GemmStatus = {
  active: false,
  reason: "not installed",
  fma: false,
  kernels: 0,
  divisionKernels: 0,
  viewSumKernels: 0,
  transposeFusions: 0,
  copiesElided: 0,
  kernelsMerged: 0,
  expKernels: 0,
  copiesFolded: 0,
  poolsFused: 0,
  programsReused: 0,
  programRuns: 0,
  directKernels: 0,
};
let backend: WasmBackendLike | undefined;
let scratchSlot = -1;
let enabled = true;
let reciprocalEnabled = true;
let viewSumEnabled = true;
let reluMaskEnabled = true;
let transposeFusionEnabled = true;
let copyElisionEnabled = true;
let copyFoldingEnabled = true;
let programCacheEnabled = true;
let rewriteCounts: RewriteCounts = {
  transposeFusions: 0,
  copiesElided: 0,
  copiesFolded: 0,
  kernelsMerged: 0,
  expKernels: 0,
  poolsFused: 0,
};
let kernelMergeEnabled = true;
let simdExpEnabled = true;
let runnerEnabled = true;
let runnerCounts: RunnerCounts = { programRuns: 0, directKernels: 0 };
/** Bumped by every switch: the program runner re-prepares its plans when it changes. */
let switchVersion = 0;

const decode = (name: string) => Uint8Array.from(atob(GEMM_MODULES[name]), (c) => c.charCodeAt(0));

/** Whether this runtime validates relaxed-SIMD code (Node 20 needs the V8 flag, see start.ts). */
export const relaxedSimdAvailable = (): boolean => WebAssembly.validate(decode("peak-fma"));

// biome-ignore lint/suspicious/noExplicitAny: jax-js's internal chunk has no types
async function loadInternals(): Promise<Record<string, any>> {
  const entry = import.meta.resolve("@jax-js/jax");
  // biome-ignore lint/suspicious/noExplicitAny: jax-js's internal chunk has no types
  return (await import(new URL(JAX_CHUNK, entry).href)) as Record<string, any>;
}

/** Reads the byte address jax-js gave a buffer slot, by running a two-line probe kernel on it. */
function slotAddress(
  wasm: WasmBackendLike,
  Executable: new (source: unknown, data: unknown) => unknown,
  shared: boolean,
  slot: number,
): number {
  const module = new WebAssembly.Module(decode(`probe-${shared ? "shared" : "plain"}`));
  const out = wasm.malloc(4);
  const exe = new Executable(
    { probe: true },
    { program: { kernelHash: "descent-probe", module, workSize: 1 }, sync: true },
  );
  wasm.dispatch(exe, [slot], [out]);
  const address = new DataView(wasm.readSync(out).buffer).getUint32(0, true);
  wasm.decRef(out);
  return address;
}

/** Installs the hook on jax-js's Wasm backend (once; later calls return the status). */
export async function installGemm(): Promise<GemmStatus> {
  if (backend || status.reason !== "not installed") return status;
  if (typeof process !== "undefined" && process.env?.DESCENT_GEMM === "0") {
    status.reason = "disabled by DESCENT_GEMM=0";
    return status;
  }
  try {
    const internals = await loadInternals();
    const getBackend = internals[EXPORTS.getBackend];
    const Executable = internals[EXPORTS.Executable];
    const unravel = internals[EXPORTS.unravelAlu];
    const AluVar = internals[EXPORTS.AluVar];
    const deepEqual = internals[EXPORTS.deepEqual];
    if (
      typeof getBackend !== "function" ||
      typeof Executable !== "function" ||
      typeof unravel !== "function" ||
      typeof deepEqual !== "function" ||
      typeof internals[EXPORTS.AluExp] !== "function" ||
      typeof internals[EXPORTS.Kernel] !== "function" ||
      AluVar?.gidx?.op !== "Variable"
    )
      throw new Error(`jax-js internals changed (${JAX_CHUNK} exports)`);
    const wasm = getBackend("wasm") as WasmBackendLike;
    if (typeof wasm?.prepareKernelSync !== "function") throw new Error("jax-js has no wasm backend");
    // Shared when jax-js found a Worker at load (threads/preload.ts, or a cross-origin-isolated page).
    const memorySlot = wasm.malloc(4);
    const memory = threads.jaxMemory(() =>
      wasm.dispatch(
        new Executable(
          { probe: true },
          {
            program: { kernelHash: "descent-memory", module: new WebAssembly.Module(decode("probe-plain")) },
            sync: true,
          },
        ),
        [memorySlot],
        [memorySlot],
      ),
    );
    wasm.decRef(memorySlot);
    if (!memory) throw new Error("jax-js's Wasm dispatch no longer instantiates modules with env.memory");
    const shared = typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
    // Descent's own pool replaces jax-js's (whose async path would take products away from the GEMM).
    const ownPool = threads.ownsWorkerGlobal(shared);
    const tools: MatchTools = {
      unravel: (shape, index) => unravel(shape, index).map((e: { simplify(): AluNode }) => e.simplify()),
      gidx: AluVar.gidx,
      ridx: AluVar.ridx,
      deepEqual,
    };
    const fma = relaxedSimdAvailable();
    scratchSlot = wasm.malloc(GEMM_SCRATCH_BYTES, new Uint8Array(GEMM_SCRATCH_BYTES));
    const scratch = slotAddress(wasm, Executable, shared, scratchSlot);
    const programs = new Map<string, Program>();

    // jit replays the same Kernel objects every step: remember each one's verdict.
    const verdicts = new WeakMap<object, Program | null>();
    const program = (kernel: unknown): Program | undefined => {
      if (!enabled) return undefined;
      let found = verdicts.get(kernel as object);
      if (found === undefined) {
        found = compileMatch(kernel) ?? null;
        verdicts.set(kernel as object, found);
      }
      if (found?.kernelHash.startsWith(RECIPROCAL_HASH) && !reciprocalEnabled) return undefined;
      if (found?.kernelHash.startsWith(VIEW_SUM_HASH) && !viewSumEnabled) return undefined;
      if (found?.kernelHash.startsWith(VIEW_SUM_RELU_HASH) && !reluMaskEnabled) return undefined;
      return found ? viewSumVariant(found) : undefined;
    };
    const AluExp = internals[EXPORTS.AluExp];
    const Kernel = internals[EXPORTS.Kernel];
    const reciprocalTools: ReciprocalTools = {
      makeAlu: (op, dtype, src, arg) => new AluExp(op, dtype, src, arg),
      makeKernel: (nargs, size, exp, reduction) => new Kernel(nargs, size, exp, reduction),
      prepare: (kernel) => prepareSync(kernel) as ReturnType<ReciprocalTools["prepare"]>,
    };
    // Not a matmul: a float32 elementwise kernel that divides gets its divisions vectorised.
    const divisionProgram = (kernel: unknown): Program | undefined => {
      try {
        const found = reciprocalProgram(kernel as Parameters<typeof reciprocalProgram>[0], reciprocalTools);
        if (found) status.divisionKernels++;
        return found as Program | undefined;
      } catch {
        return undefined;
      }
    };
    // Not arithmetic at all: a sum of (masked) strided views gets loops over each view's box.
    const viewSumProgram = viewSumCompiler(tools, shared, status);
    const compileMatch = (kernel: unknown): Program | undefined => {
      const match = matchGemm(kernel as Parameters<typeof matchGemm>[0], tools);
      if (!match) return viewSumProgram(kernel) ?? divisionProgram(kernel);
      const params: GemmParams = { ...match.params, scratch };
      const key = `${match.kind}:${match.dtype}:${Object.values(params).join(",")}`;
      let found = programs.get(key);
      if (!found) {
        const bytes = gemmModuleBytes(match.dtype as GemmDtype, params, { fma, shared, kind: match.kind });
        // One chunk of work: a worker pool (if any) runs the whole product on one worker.
        found = {
          kernelHash: `descent-gemm:${key}`,
          module: new WebAssembly.Module(bytes),
          workSize: 1,
          chunkAlignment: 1,
        };
        programs.set(key, found);
        status.kernels = programs.size;
        if (match.kind === "gemm" && shared) threads.registerGemm(found, match.dtype as GemmDtype, params);
      }
      return found;
    };
    const prepareSync = wasm.prepareKernelSync.bind(wasm);
    const prepareAsync = wasm.prepareKernel.bind(wasm);
    // jax-js hashes the whole kernel tree (FpHash) at every preparation to find its compiled program;
    // jit replays the same Kernel objects, so each one's program is remembered here instead.
    const ownPrograms = new WeakMap<object, unknown>();
    const remembered = (kernel: unknown, sync: boolean) => {
      const known = programCacheEnabled ? ownPrograms.get(kernel as object) : undefined;
      if (!known) return undefined;
      status.programsReused++;
      return new Executable(kernel, { program: known, sync });
    };
    const remember = <T>(kernel: unknown, exe: T) => {
      ownPrograms.set(kernel as object, (exe as { data: { program: unknown } }).data.program);
      return exe;
    };
    // A merged kernel computes each item alone, like jax-js's elementwise kernels: ranges of items split it.
    const threadedMerge = (merged: MergedProgram) =>
      threads.threadedProgram(merged, { nargs: 0, size: merged.workSize, pointers: merged.pointers }, true);
    // Programs with jax-js's calling convention (items [start, end)), which the pool may split.
    const splittable = (found: Program) => found.kernelHash.startsWith(RECIPROCAL_HASH) || splitsByRows(found);
    wasm.prepareKernelSync = (kernel) => {
      const merged = mergedProgramOf(kernel);
      if (merged) return new Executable(kernel, { program: threadedMerge(merged), sync: true });
      const found = program(kernel);
      if (found)
        return new Executable(kernel, {
          program: threads.threadedProgram(found, kernel, splittable(found)),
          sync: true,
        });
      return threads.threadedExecutable(kernel, remembered(kernel, true) ?? remember(kernel, prepareSync(kernel)));
    };
    // The async path hands modules to jax-js's worker pool when one exists; the GEMM's single
    // scratch block is not safe across concurrent workers, so with a pool it stays with jax-js.
    wasm.prepareKernel = async (kernel) => {
      const merged = mergedProgramOf(kernel);
      if (merged) return new Executable(kernel, { program: threadedMerge(merged), sync: false });
      const found = shared && !ownPool ? undefined : program(kernel);
      if (found)
        return new Executable(kernel, {
          program: threads.threadedProgram(found, kernel, splittable(found)),
          sync: false,
        });
      return threads.threadedExecutable(
        kernel,
        remembered(kernel, false) ?? remember(kernel, await prepareAsync(kernel)),
      );
    };
    // The runner and the program rewrites are optional: without jax-js's JitProgram the GEMM stays on.
    let jitProgram: Awaited<ReturnType<typeof catchJitProgram>> | undefined;
    try {
      jitProgram = await catchJitProgram(wasm);
    } catch (error) {
      status.rewriteError = `jit program rewrites not installed: ${(error as Error).message}`;
      status.runnerError = `program runner not installed: ${(error as Error).message}`;
    }
    if (jitProgram) {
      const proto = Object.getPrototypeOf(jitProgram);
      // Installed first, so that it runs the steps the rewrites choose.
      try {
        if (shared && !ownPool) throw new Error("jax-js runs a worker pool (shared memory)");
        const isTracing = internals[EXPORTS.isTracing];
        if (typeof wasm.prepareRoutineSync !== "function" || typeof isTracing !== "function")
          throw new Error(`jax-js internals changed (${JAX_CHUNK} exports)`);
        runnerCounts = installProgramRunner(
          proto,
          wasm,
          {
            isKernel: (source) => source instanceof Kernel,
            makeExecutable: (source, data) => new Executable(source, data),
            isTracing: () => isTracing(),
            compile: (bytes) => new WebAssembly.Module(ownPool ? withSharedMemory(bytes) : bytes),
          },
          () => enabled && runnerEnabled,
          // Plans hold prepared programs: rebuilt when a switch or the thread pool changes.
          () => switchVersion + threads.threadVersion() + viewSumSwitchVersion(),
        );
      } catch (error) {
        status.runnerError = `program runner not installed: ${(error as Error).message}`;
      }
      rewriteCounts = installProgramRewrites(
        proto,
        wasm,
        {
          ...tools,
          makeAlu: reciprocalTools.makeAlu,
          makeKernel: reciprocalTools.makeKernel as never,
          // Written for a plain memory: with Descent's pool, jax-js's memory is shared (threads/sharedImport.ts).
          compile: (bytes) => new WebAssembly.Module(ownPool ? withSharedMemory(bytes) : bytes),
        },
        () => ({
          transposeFusion: enabled && transposeFusionEnabled,
          copyElision: enabled && copyElisionEnabled,
          copyFolding: enabled && copyFoldingEnabled,
          // Merged kernels import a plain memory: not with jax-js's own worker pool (ours: see compile above).
          kernelMerge: enabled && kernelMergeEnabled && (!shared || ownPool),
          simdExp: enabled && simdExpEnabled && (!shared || ownPool),
          maxPool: enabled && maxPoolEnabled() && (!shared || ownPool),
        }),
      );
    }
    if (ownPool) threads.keepDispatchSynchronous(wasm);
    backend = wasm;
    Object.assign(status, { active: true, reason: undefined, fma });
    // The pool starts in the background; if it fails, the GEMM stays on one thread (threadStatus says why).
    if (ownPool)
      threads.installThreads({
        wasm,
        memory,
        scratch,
        fma,
        slotAddress: (slot) => slotAddress(wasm, Executable, shared, slot),
      });
  } catch (error) {
    Object.assign(status, { active: false, reason: `GEMM hook not installed: ${(error as Error).message}` });
  }
  return status;
}

/**
 * Turns routing on or off for kernels prepared from now on (jax-js prepares a kernel at each
 * execution, so this applies to the next step): for A/B benches and GEMM-vs-jax-js tests.
 */
export function setGemmEnabled(on: boolean): void {
  enabled = on;
  switchVersion++;
}

/** Turns the vectorised division (simdReciprocal.ts) on or off for kernels prepared from now on: for A/B. */
export function setReciprocalEnabled(on: boolean): void {
  reciprocalEnabled = on;
  switchVersion++;
}

/** Turns the data-movement kernels (viewSum.ts) on or off for kernels prepared from now on: for A/B. */
export function setViewSumEnabled(on: boolean): void {
  viewSumEnabled = on;
  switchVersion++;
}

/** Turns the view sums under a ReLU mask (viewSum.ts reluMask) on or off for kernels prepared from now on: for A/B. */
export function setReluMaskEnabled(on: boolean): void {
  reluMaskEnabled = on;
  switchVersion++;
}

/** Turns the fusion of transposed copies into products (transposeFusion.ts) on or off, from the next call: for A/B. */
export function setTransposeFusionEnabled(on: boolean): void {
  transposeFusionEnabled = on;
  switchVersion++;
}

/** Turns the per-Kernel cache of jax-js's own compiled programs on or off (for A/B). */
export function setProgramCacheEnabled(on: boolean): void {
  programCacheEnabled = on;
  switchVersion++;
}

/** Turns the removal of identity copies from jit programs (copyElision.ts) on or off, from the next call: for A/B. */
export function setCopyElisionEnabled(on: boolean): void {
  copyElisionEnabled = on;
  switchVersion++;
}

/** Turns the merging of sibling elementwise kernels (kernelMerge.ts) on or off, from the next call: for A/B. */
export function setKernelMergeEnabled(on: boolean): void {
  kernelMergeEnabled = on;
  switchVersion++;
}

/** Turns Descent's vectorised float32 exp kernels (kernelMerge.ts) on or off, from the next call: for A/B. */
export function setSimdExpEnabled(on: boolean): void {
  simdExpEnabled = on;
  switchVersion++;
}

/** Turns the program runner (programRunner.ts) on or off, from the next jit call: for A/B. */
export function setProgramRunnerEnabled(on: boolean): void {
  runnerEnabled = on;
}

/** Turns the folding of copies read only by products into their views (copyFolding.ts) on or off: for A/B. */
export function setCopyFoldingEnabled(on: boolean): void {
  copyFoldingEnabled = on;
  switchVersion++;
}

export const gemmStatus = (): GemmStatus => ({ ...status, ...rewriteCounts, ...runnerCounts });

/** How many times jax-js has run a GEMM kernel since start (read from the kernels' own counter). */
export function gemmCalls(): number {
  if (!backend) return 0;
  return new DataView(backend.readSync(scratchSlot, CALLS_OFFSET, 4).buffer).getUint32(0, true);
}

export type { AluNode };
