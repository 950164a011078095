/**
 * Runs a Wasm jit program's kernels as one pending unit instead of one jax-js PendingExecute each.
 *
 * jax-js's JitProgram.execute makes a PendingExecute per kernel (two refcount updates per buffer),
 * every output array copies the whole list into a Set, realising them prepares each kernel again
 * (an awaited promise each) and dispatch makes a new WebAssembly.Instance per kernel. For a step of
 * 500+ small kernels (the RNN) that is most of the time. Here, once per program (and switch setting):
 * each kernel is prepared (through the GEMM hook), its module instantiated once on jax-js's memory,
 * and its argument positions resolved. Per call: the malloc/incref/free steps run as jax-js runs them,
 * one ProgramRun holds a reference on every buffer the kernels use (as the PendingExecutes would),
 * and its submit finds the buffers' addresses with one pointer-probe dispatch per 511 buffers and
 * calls the kernels directly, in program order. Same kernels, same order, same buffers: same bits.
 */
import type { Step } from "./jitSteps.js";
import { PROBE_POINTERS, PROBE_SIZES, pointerProbeBytes } from "./pointerProbe.js";
import { switches } from "./switches.js";

/**
 * `direct`: the program's own function to call instead of its module's export, with the same
 * arguments (threads/jobs.ts twins; engine/f64/hook.ts runs float64 kernels as JavaScript).
 */
type Program = { module?: WebAssembly.Module; workSize?: number; direct?: (...args: number[]) => void };
type Exe = { data: { program?: Program } };

export interface RunnerBackend {
  malloc(size: number, initialData?: Uint8Array): number;
  incRef(slot: number): void;
  decRef(slot: number): void;
  dispatch(exe: unknown, inputs: number[], outputs: number[]): void;
  readSync(slot: number, start?: number, count?: number): Uint8Array;
  prepareKernelSync(kernel: unknown): unknown;
  prepareRoutineSync(routine: unknown): unknown;
}

interface ProgramLike {
  backend: unknown;
  steps: Step[];
  inputs: number[];
  outputs: number[];
  execute(inputs: number[]): { outputs: number[]; pending: unknown[] };
}

/** jax-js internals the runner needs (jitRoutes.ts passes them from the pinned chunk). */
export interface RunnerTools {
  isKernel(source: unknown): boolean;
  makeExecutable(source: unknown, data: unknown): unknown;
  isTracing(): boolean;
  /** Compiles the pointer probe (its bytes import a plain memory; the hook makes it shared when jax-js's is). */
  compile?(bytes: Uint8Array<ArrayBuffer>): WebAssembly.Module;
}

export interface RunnerCounts {
  /** jit calls whose kernels ran as one unit. */
  programRuns: number;
  /** Kernels called directly on a reused instance (no PendingExecute, preparation or new Instance). */
  directKernels: number;
}

/** Counts before any run. */
export const noRuns = (): RunnerCounts => ({ programRuns: 0, directKernels: 0 });

/** One kernel or routine of a plan: its executable, buffer ids, and (for kernels) the reused function. */
interface Run {
  exe: unknown;
  inputIds: number[];
  outputIds: number[];
  /** Position in `held` of each argument buffer. */
  argIndex: number[];
  /** The kernel's export, on an instance made once; absent for routines (they go through dispatch). */
  kernel?: (...args: number[]) => void;
  /** Reused argument array: addresses, then begin = 0 and end = workSize, as jax-js calls kernels. */
  args: number[];
}

interface Plan {
  version: number;
  runs: Run[];
  /** The non-execute steps, replayed at each call. */
  memorySteps: Step[];
  /** Buffer ids used by kernels, in first-use order: the ProgramRun holds one reference on each. */
  heldIds: number[];
  scopeSize: number;
}

/**
 * Installs the runner on jax-js's JitProgram prototype (before the program rewrites wrap it, so it
 * runs their rewritten steps). `enabled()` and `version()` are read at each execution: a new
 * version (a GEMM/rewrite switch changed) rebuilds the plans, since preparation depends on them.
 */
export function installProgramRunner(
  proto: ProgramLike,
  backend: RunnerBackend,
  tools: RunnerTools,
  enabled: () => boolean,
  version: () => number,
): RunnerCounts {
  const counts = noRuns();
  const probes = PROBE_SIZES.map((pointers) => {
    const bytes = pointerProbeBytes(pointers);
    const module = tools.compile ? tools.compile(bytes) : new WebAssembly.Module(bytes);
    const exe = tools.makeExecutable(
      { pointerProbe: true },
      { program: { kernelHash: `descent-pointer-probe-${pointers}`, module, workSize: 1 }, sync: true },
    );
    return { pointers, exe };
  });
  const probeSlot = backend.malloc(4 * PROBE_POINTERS);
  const { memory, probeAddress } = catchMemory(backend, probes[0].exe, probeSlot);
  const kernels = new WeakMap<WebAssembly.Module, (...args: number[]) => void>();
  const kernelOf = (module: WebAssembly.Module) => {
    let kernel = kernels.get(module);
    if (!kernel) {
      kernel = new WebAssembly.Instance(module, { env: { memory } }).exports.kernel as (...args: number[]) => void;
      kernels.set(module, kernel);
    }
    return kernel;
  };

  const buildPlan = (steps: Step[], inputIds: number[], outputIds: number[]): Plan => {
    const heldIndex = new Map<number, number>();
    const heldIds: number[] = [];
    const hold = (id: number) => {
      if (!heldIndex.has(id)) heldIndex.set(id, heldIds.push(id) - 1);
      return heldIndex.get(id)!;
    };
    const runs: Run[] = [];
    let scopeSize = 1 + Math.max(0, ...inputIds, ...outputIds);
    for (const step of steps) {
      if (step.type !== "execute") {
        scopeSize = Math.max(scopeSize, 1 + (step.type === "malloc" ? step.output : step.input));
        continue;
      }
      const kernel = tools.isKernel(step.source);
      const exe = kernel ? backend.prepareKernelSync(step.source) : backend.prepareRoutineSync(step.source);
      const program = (exe as Exe).data?.program;
      const ids = [...step.inputs, ...step.outputs];
      for (const id of ids) scopeSize = Math.max(scopeSize, id + 1);
      const direct = kernel && program?.module instanceof WebAssembly.Module;
      runs.push({
        exe,
        inputIds: step.inputs,
        outputIds: step.outputs,
        argIndex: ids.map(hold),
        kernel: direct ? (program.direct ?? kernelOf(program.module as WebAssembly.Module)) : undefined,
        args: [...ids.map(() => 0), 0, program?.workSize ?? 0],
      });
    }
    return { version: version(), runs, memorySteps: steps.filter((s) => s.type !== "execute"), heldIds, scopeSize };
  };

  /** Addresses of `slots`, in order: one dispatch of the smallest probe that fits per PROBE_POINTERS − 1 slots. */
  const addresses = (slots: number[]): Int32Array => {
    const out = new Int32Array(slots.length);
    const chunk = PROBE_POINTERS - 1;
    for (let start = 0; start < slots.length; start += chunk) {
      const part = slots.slice(start, start + chunk);
      const probe = switches.smallProbes ? probes.find((p) => p.pointers > part.length)! : probes[probes.length - 1];
      backend.dispatch(probe.exe, [probeSlot, ...part], []);
      out.set(new Int32Array(memory.buffer, probeAddress + 4, part.length), start);
    }
    return out;
  };

  const runPlan = (plan: Plan, scope: number[], held: number[]) => {
    const slotsOf = (ids: number[]) => ids.map((id) => scope[id]);
    // jax-js's profiler records each dispatch: let it see them one by one.
    if (tools.isTracing()) {
      for (const run of plan.runs) backend.dispatch(run.exe, slotsOf(run.inputIds), slotsOf(run.outputIds));
      return;
    }
    const pointers = addresses(held);
    for (const run of plan.runs) {
      if (!run.kernel) {
        backend.dispatch(run.exe, slotsOf(run.inputIds), slotsOf(run.outputIds));
        continue;
      }
      const { args, argIndex } = run;
      for (let i = 0; i < argIndex.length; i++) args[i] = pointers[argIndex[i]];
      run.kernel(...args);
      counts.directKernels++;
    }
  };

  /** Mirrors jax-js's PendingExecute (refs held from creation to submit, or dropped unrun). */
  class ProgramRun {
    prepared = true;
    submitted = false;
    #rc = 1;
    constructor(
      readonly plan: Plan,
      readonly scope: number[],
      readonly held: number[],
    ) {
      for (const slot of held) backend.incRef(slot);
    }
    updateRc(delta: number) {
      if (this.#rc <= 0) throw new Error("internal: ProgramRun used rc<=0");
      this.#rc += delta;
      if (this.#rc <= 0 && !this.submitted) for (const slot of this.held) backend.decRef(slot);
    }
    async prepare() {}
    prepareSync() {}
    submit() {
      if (this.submitted) return;
      if (this.#rc <= 0) throw new Error("internal: ProgramRun used rc<=0");
      this.submitted = true;
      runPlan(this.plan, this.scope, this.held);
      counts.programRuns++;
      for (const slot of this.held) backend.decRef(slot);
    }
  }

  const plans = new WeakMap<Step[], Plan>();
  const execute = proto.execute;
  proto.execute = function (this: ProgramLike, inputs: number[]) {
    if (this.backend !== backend || !enabled()) return execute.call(this, inputs);
    if (inputs.length !== this.inputs.length)
      throw new TypeError(`Expected ${this.inputs.length} inputs, got ${inputs.length}`);
    let plan = plans.get(this.steps);
    if (!plan || plan.version !== version()) {
      plan = buildPlan(this.steps, this.inputs, this.outputs);
      plans.set(this.steps, plan);
    }
    const scope = new Array<number>(plan.scopeSize);
    this.inputs.forEach((id, i) => (scope[id] = inputs[i]));
    // Frees wait until the run holds its references (jax-js's PendingExecutes hold them by then).
    const frees: number[] = [];
    for (const step of plan.memorySteps) {
      if (step.type === "malloc") scope[step.output] = backend.malloc(step.size);
      else if (step.type === "incref") backend.incRef(scope[step.input]);
      else if (step.type === "free") frees.push(scope[step.input]);
    }
    const pending = plan.runs.length
      ? [
          new ProgramRun(
            plan,
            scope,
            plan.heldIds.map((id) => scope[id]),
          ),
        ]
      : [];
    for (const slot of frees) backend.decRef(slot);
    return { outputs: this.outputs.map((id) => scope[id]), pending };
  };
  return counts;
}

/**
 * jax-js's Wasm memory (private to its backend), caught from the imports of the first instance its
 * dispatch makes, and the probe buffer's address.
 */
function catchMemory(
  backend: RunnerBackend,
  probeExe: unknown,
  probeSlot: number,
): { memory: WebAssembly.Memory; probeAddress: number } {
  const Instance = WebAssembly.Instance;
  let memory: WebAssembly.Memory | undefined;
  WebAssembly.Instance = new Proxy(Instance, {
    construct(target, args: [WebAssembly.Module, WebAssembly.Imports?]) {
      const candidate = args[1]?.env?.memory;
      if (!memory && candidate instanceof WebAssembly.Memory) memory = candidate;
      return Reflect.construct(target, args);
    },
  });
  try {
    backend.dispatch(probeExe, [probeSlot], []);
  } finally {
    WebAssembly.Instance = Instance;
  }
  if (!memory) throw new Error("jax-js's dispatch did not instantiate with an env.memory import");
  const probeAddress = new DataView(backend.readSync(probeSlot, 0, 4).buffer).getInt32(0, true);
  if (new Int32Array(memory.buffer, probeAddress, 1)[0] !== probeAddress)
    throw new Error("the pointer probe did not find its own buffer in jax-js's memory");
  return { memory, probeAddress };
}
