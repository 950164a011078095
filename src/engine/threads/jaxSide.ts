/**
 * The two places where the thread pool reaches into jax-js's Wasm backend beyond the GEMM hook: finding
 * its memory, and keeping its dispatch synchronous (so its own worker pool never runs).
 */

type Exe = { data: { program?: unknown; sync: boolean } };

/**
 * jax-js's Wasm memory: the import object of one dispatch, caught by a stand-in WebAssembly.Instance
 * that throws before anything runs (so the module need not even link).
 */
export function jaxMemory(dispatchOnce: () => void): WebAssembly.Memory | undefined {
  const Original = WebAssembly.Instance;
  let memory: WebAssembly.Memory | undefined;
  const caught = new Error("descent: memory caught");
  // A class, not a function: jax-js calls it with `new`.
  WebAssembly.Instance = class {
    constructor(_module: WebAssembly.Module, imports?: { env?: { memory?: WebAssembly.Memory } }) {
      memory = imports?.env?.memory;
      throw caught;
    }
  } as unknown as typeof WebAssembly.Instance;
  try {
    dispatchOnce();
  } catch (error) {
    if (error !== caught) throw error;
  } finally {
    WebAssembly.Instance = Original;
  }
  return memory;
}

/** jax-js's async preparation, made synchronous: no kernel or routine goes to jax-js's worker pool. */
export function keepDispatchSynchronous(wasm: {
  prepareKernel(kernel: unknown): Promise<unknown>;
  prepareRoutine?(routine: unknown): Promise<unknown>;
}): void {
  const sync = <T>(exe: T) => {
    (exe as Exe).data.sync = true;
    return exe;
  };
  const prepareKernel = wasm.prepareKernel.bind(wasm);
  wasm.prepareKernel = async (kernel) => sync(await prepareKernel(kernel));
  if (wasm.prepareRoutine) {
    const prepareRoutine = wasm.prepareRoutine.bind(wasm);
    wasm.prepareRoutine = async (routine) => sync(await prepareRoutine(routine));
  }
}
